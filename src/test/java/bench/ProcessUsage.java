package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a whole process (all its threads), and the whole machine's CPU time, read from /proc as top and ps do. */
final class ProcessUsage {

    /** utime and stime in /proc/<pid>/stat count clock ticks, usually 100 a second; getconf knows for sure. */
    private static final double TICKS_PER_SECOND = clockTicksPerSecond();

    private ProcessUsage() {
    }

    /** User plus system CPU seconds the process has used since it started. */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // the command name in parentheses may contain spaces: the numbered fields start after its ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state), so utime (field 14) and stime (field 15) are at 11 and 12
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks / TICKS_PER_SECOND;
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
