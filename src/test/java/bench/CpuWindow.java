package bench;

import java.io.IOException;

/**
 * Where the machine's CPU went while a system moved a known number of events: the system's own
 * process, everything else on the machine (the Kafka and S3 servers, Postgres, this benchmark's
 * polls), and how busy all cores were together. When the cores are nearly always busy, the rates of
 * two systems stand in the inverse ratio of the machine CPU each event costs.
 */
final class CpuWindow {

    private final long pid;
    private final double systemStart;
    private final double machineStart;
    private final long startNanos;

    private CpuWindow(long pid) throws IOException {
        this.pid = pid;
        this.systemStart = ProcessUsage.cpuSeconds(pid);
        this.machineStart = ProcessUsage.machineBusySeconds();
        this.startNanos = System.nanoTime();
    }

    /** Starts counting now, for the process {@code pid} and the whole machine. */
    static CpuWindow open(long pid) throws IOException {
        return new CpuWindow(pid);
    }

    /** The CPU used since {@link #open}, shared among {@code events}. */
    CpuShare close(long events) throws IOException {
        double system = ProcessUsage.cpuSeconds(pid) - systemStart;
        double machine = ProcessUsage.machineBusySeconds() - machineStart;
        double wall = (System.nanoTime() - startNanos) / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        return new CpuShare(1e6 * system / events, 1e6 * Math.max(0, machine - system) / events, 100 * machine / (wall * cores));
    }

    /**
     * @param systemMicrosPerEvent CPU of the system under test per event, µs
     * @param restMicrosPerEvent   CPU of every other process on the machine per event, µs
     * @param machineBusyPercent   how busy all cores were, % of their combined time
     */
    record CpuShare(double systemMicrosPerEvent, double restMicrosPerEvent, double machineBusyPercent) {

        double machineMicrosPerEvent() {
            return systemMicrosPerEvent + restMicrosPerEvent;
        }
    }
}
