package pipeline.config;

/** Reduces a start-up exception chain to the one line an operator needs. */
public final class StartupFailure {

    private StartupFailure() {
    }

    public static boolean isConfiguration(Throwable failure) {
        return configurationCause(failure) != null;
    }

    public static String describe(Throwable failure) {
        Throwable configuration = configurationCause(failure);
        if (configuration != null) {
            return configuration.getMessage();
        }
        return "start-up failed: " + RootCause.describe(failure);
    }

    private static Throwable configurationCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConfigurationException) {
                return cause;
            }
        }
        return null;
    }
}
