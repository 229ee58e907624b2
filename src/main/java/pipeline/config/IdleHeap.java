package pipeline.config;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Has G1 give the heap a heavy run grew back to the operating system once the pipeline is idle. G1
 * shrinks its heap only at a full or concurrent collection, which an idle pipeline hardly ever needs:
 * after a snapshot the process kept 1.2 to 2 GB resident while idle, and on virtual machines every
 * wake-up of a process costs more the more memory it has resident. These flags are manageable, so the
 * application may set them; values given on the command line are left alone.
 */
public final class IdleHeap {

    private static final Logger LOG = LoggerFactory.getLogger(IdleHeap.class);

    /** Set in this order: the minimum free ratio may never exceed the maximum. */
    private static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        // after a collection, heap beyond 40 % free is returned (G1's default keeps up to 70 % free)
        FLAGS.put("MinHeapFreeRatio", "10");
        FLAGS.put("MaxHeapFreeRatio", "40");
        // a concurrent collection after a minute without any, repeated each idle minute at the cost of a few ms
        FLAGS.put("G1PeriodicGCInterval", "60000");
    }

    private IdleHeap() {
    }

    public static void returnWhenIdle() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (!Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())) {
            return;
        }
        if (FLAGS.keySet().stream().anyMatch(flag -> vm.getVMOption(flag).getOrigin() != VMOption.Origin.DEFAULT)) {
            LOG.info("Heap sizing left to the command line's {}", FLAGS.keySet());
            return;
        }
        FLAGS.forEach(vm::setVMOption);
        LOG.info("Heap unused while idle is returned to the system: {}", FLAGS);
    }
}
