package pipeline.config;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import javax.management.JMException;
import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
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
    /** How much of the heap may stay free after the collection; the JVM's default keeps up to 70 %. */
    private static final String MAX_FREE_PERCENT = "30";

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
        collectKeepingLessFree();
        trimNativeHeap();
        committedAfterLastReturn = memory.getHeapMemoryUsage().getCommitted();
        LOG.info("Pipeline idle: heap {} MB -> {} MB ({} ms)", before >> 20, committedAfterLastReturn >> 20,
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * A full collection (the only one an application can ask for) under a lower MaxHeapFreeRatio. The
     * ratio is manageable, so the application may set it; only for this collection, since lowered
     * during load it would also shrink the heap at every concurrent cycle, and the heap would grow back
     * at once. Ratios given on the command line are used as they are.
     */
    private static void collectKeepingLessFree() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        VMOption min = vm.getVMOption("MinHeapFreeRatio");
        VMOption max = vm.getVMOption("MaxHeapFreeRatio");
        if (List.of(min, max).stream().anyMatch(IdleHeap::givenAtStart)) {
            System.gc();
            return;
        }
        // the minimum may never exceed the maximum: lowered first, restored last
        vm.setVMOption("MinHeapFreeRatio", "0");
        vm.setVMOption("MaxHeapFreeRatio", MAX_FREE_PERCENT);
        try {
            System.gc();
        } finally {
            vm.setVMOption("MaxHeapFreeRatio", max.getValue());
            vm.setVMOption("MinHeapFreeRatio", min.getValue());
        }
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

    private static boolean givenAtStart(VMOption option) {
        return option.getOrigin() != VMOption.Origin.DEFAULT && option.getOrigin() != VMOption.Origin.MANAGEMENT;
    }
}
