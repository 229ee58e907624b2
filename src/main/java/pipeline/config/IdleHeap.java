package pipeline.config;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.JMException;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the heap a heavy run grew back to the operating system once the pipeline is idle. The JVM
 * shrinks its heap only after a full or concurrent collection, which an idle pipeline hardly ever
 * needs: after a snapshot the process kept 1.2 to 2 GB resident while idle, and on virtual machines
 * every wake-up of a process costs more the more memory it has resident.
 */
public final class IdleHeap {

    private static final Logger LOG = LoggerFactory.getLogger(IdleHeap.class);
    /** Less than this grown since the last return is not worth a full collection. */
    private static final long WORTH_RETURNING_BYTES = 256L << 20;

    private static long committedAfterLastReturn = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();

    private IdleHeap() {
    }

    /**
     * Called when the pipeline turns idle: when the heap has grown by at least 256 MB since the last
     * return, a full collection returns what is free. A pipeline that wakes for a few changes now and
     * then does not grow its heap, so it is not collected each time it falls idle again.
     */
    public static synchronized void returnGrowth() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = memory.getHeapMemoryUsage().getCommitted();
        if (before - committedAfterLastReturn < WORTH_RETURNING_BYTES) {
            return;
        }
        long started = System.nanoTime();
        // The heap keeps the JVM's own free ratio (-XX:MaxHeapFreeRatio, 70 % by default), so the live data
        // fills about 30 % of it, under the 45 % at which G1 starts concurrent marking. Squeezed to 30 % free,
        // the idle process's next young collection began a marking cycle (90 ms of CPU) within half a minute.
        System.gc();
        trimNativeHeap();
        committedAfterLastReturn = memory.getHeapMemoryUsage().getCommitted();
        LOG.info("Pipeline idle: heap {} MB -> {} MB ({} ms)", before >> 20, committedAfterLastReturn >> 20,
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * The C heap keeps memory freed by the JVM's own work during the run (compilers, buffers): some
     * 20 MB after a snapshot. HotSpot from 17.0.9 hands it back on request; elsewhere nothing happens.
     */
    private static void trimNativeHeap() {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "systemTrimNativeHeap", new Object[0], new String[0]);
        } catch (JMException e) {
            LOG.debug("The native heap cannot be trimmed on this JVM: {}", e.toString());
        }
    }
}
