package pipeline.config;

/** A configuration value that cannot work; the message names the key and says why in one line. */
public final class ConfigurationException extends RuntimeException {

    public ConfigurationException(String key, String value, String problem) {
        super("Invalid configuration " + key + "=" + value + ": " + problem);
    }
}
