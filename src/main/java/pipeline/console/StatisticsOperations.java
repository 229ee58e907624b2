package pipeline.console;

import java.lang.management.ManagementFactory;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.camel.support.service.ServiceSupport;
import pipeline.stats.MonthlyStatisticsService;

/**
 * The statistics for any month, on demand from Hawtio's JMX view ({@code trip-pipeline:type=statistics},
 * operation {@code computeMonth}): the cron route only ever fires for the previous month.
 */
public final class StatisticsOperations extends ServiceSupport implements StatisticsOperationsMBean {

    public static final String OBJECT_NAME = "trip-pipeline:type=statistics";

    private final MonthlyStatisticsService statistics;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    public StatisticsOperations(MonthlyStatisticsService statistics) {
        this.statistics = statistics;
    }

    @Override
    public String computeMonth(String month) throws Exception {
        YearMonth parsed;
        try {
            parsed = YearMonth.parse(month.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("month must be YYYY-MM, not '" + month + "'");
        }
        return statistics.compute(parsed).toString();
    }

    @Override
    protected void doStart() throws Exception {
        ObjectName name = new ObjectName(OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(this, name);
    }

    @Override
    protected void doStop() throws Exception {
        ObjectName name = new ObjectName(OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }
}
