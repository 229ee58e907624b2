package pipeline.console;

/** What the console's JMX view offers on the monthly statistics. */
public interface StatisticsOperationsMBean {

    /**
     * Computes and publishes one month's vehicle statistics, replacing an earlier result.
     *
     * @param month {@code YYYY-MM}
     * @return the run's one-line summary
     */
    String computeMonth(String month) throws Exception;
}
