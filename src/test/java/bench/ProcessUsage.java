package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** CPU time and resident memory of a whole process (all its threads), and the whole machine's CPU time, read from /proc as top and ps do. */
final class ProcessUsage {

    /** utime and stime in /proc/<pid>/stat count clock ticks, usually 100 a second; getconf knows for sure. */
    private static final double TICKS_PER_SECOND = clockTicksPerSecond();

    private ProcessUsage() {
    }

    /** User plus system CPU seconds the process has used since it started. */
    static double cpuSeconds(long pid) throws IOException {
        return ticks(Files.readString(Path.of("/proc", String.valueOf(pid), "stat"))) / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds used so far by each of the process's HotSpot JIT compiler threads (named "C1
     * CompilerThread0" and so on, which Linux cuts to "C1 CompilerThre"), by thread id. A compiler
     * thread the JVM ends between two readings takes its time along: the difference of two readings
     * then counts less compiling, never more.
     */
    static Map<String, Double> compilerThreadCpuSeconds(long pid) throws IOException {
        Map<String, Double> seconds = new HashMap<>();
        try (Stream<Path> threads = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"));
                } catch (NoSuchFileException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.matches("C[12] CompilerThre.*")) {
                    seconds.put(thread.getFileName().toString(), ticks(stat) / TICKS_PER_SECOND);
                }
            }
        }
        return seconds;
    }

    /** The compiler threads' CPU seconds between two readings of {@link #compilerThreadCpuSeconds}. */
    static double compilerCpuSecondsBetween(Map<String, Double> before, Map<String, Double> after) {
        return after.entrySet().stream().mapToDouble(thread -> thread.getValue() - before.getOrDefault(thread.getKey(), 0.0)).sum();
    }

    /** utime plus stime of a process's or thread's stat line. */
    private static long ticks(String stat) {
        // the command name in parentheses may contain spaces: the numbered fields start after its ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state), so utime (field 14) and stime (field 15) are at 11 and 12
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * CPU seconds all cores together have spent busy since boot: the first line of /proc/stat, which
     * counts user, nice, system, idle, iowait, irq, softirq and steal ticks (guest time is inside user).
     */
    static double machineBusySeconds() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long ticks = 0;
        for (int field : new int[] {1, 2, 3, 6, 7, 8}) {
            ticks += Long.parseLong(fields[field]);
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** VmRSS: the process's resident memory now, in MiB. */
    static double residentMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS line for process " + pid);
    }

    private static double clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String output = new String(getconf.getInputStream().readAllBytes()).trim();
            return getconf.waitFor() == 0 ? Double.parseDouble(output) : 100;
        } catch (Exception e) {
            return 100;
        }
    }
}
