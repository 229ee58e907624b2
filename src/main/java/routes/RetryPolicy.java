package routes;

import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.errorhandler.DefaultErrorHandlerDefinition;
import pipeline.config.Backoff;
import pipeline.config.PipelineSettings;

/**
 * The routes' one retry policy: a failed step is tried again until it succeeds, on a {@link Backoff}
 * schedule, each attempt logged at WARN. A stop ends the retries at once: what was not stored is
 * not acknowledged, so the next start reads it again.
 */
public class RetryPolicy extends RouteConfigurationBuilder {

    /** cdc-to-kafka: a Debezium batch until Kafka acknowledged all of it. */
    public static final String UNTIL_PUBLISHED = "retry-until-published";
    /** kafka-to-s3: a lake batch until every file and dead letter of it is stored. */
    public static final String UNTIL_STORED = "retry-until-stored";
    /** monthly-stats: a firing until its months are published. */
    public static final String UNTIL_COMPUTED = "retry-until-computed";

    @BeanInject
    private PipelineSettings settings;

    @Override
    public void configuration() {
        routeConfiguration(UNTIL_PUBLISHED).errorHandler(retryForever(Backoff.CHANGES)
                // camel-kafka takes each message's topic header away as it sends it: a retry needs the messages anew
                .onRedeliveryRef("rebuildKafkaMessages"));
        routeConfiguration(UNTIL_STORED).errorHandler(retryForever(Backoff.CHANGES));
        routeConfiguration(UNTIL_COMPUTED).errorHandler(retryForever(settings.stats.retries));
    }

    private DefaultErrorHandlerDefinition retryForever(Backoff backoff) {
        return defaultErrorHandler()
                .maximumRedeliveries(-1)
                .redeliveryDelay(backoff.first().toMillis())
                .useExponentialBackOff()
                .backOffMultiplier(Backoff.MULTIPLIER)
                .maximumRedeliveryDelay(backoff.max().toMillis())
                .retryAttemptedLogLevel(LoggingLevel.WARN)
                .allowRedeliveryWhileStopping(false)
                // retries end only with a stop: what they left is read again, or caught up, at the next start
                .logExhausted(false);
    }
}
