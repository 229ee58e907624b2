package pipeline.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Overrides that set nothing. A misspelt environment variable (PIPELINE_LAKE_FLUSH_INTERVALL) would
 * otherwise leave the default in force without a word; they are reported, never refused, since other
 * tools also name variables PIPELINE_something.
 */
public final class UnknownSettings {

    private static final String KEY_PREFIX = "pipeline.";
    private static final String VARIABLE_PREFIX = "PIPELINE_";

    private final Set<String> keys;

    /** {@code keys}: every setting there is, as application.properties names them. */
    public UnknownSettings(Set<String> keys) {
        this.keys = new TreeSet<>(keys);
    }

    /** The settings application.properties documents: all there are. */
    public static UnknownSettings documented() {
        Properties defaults = new Properties();
        try (InputStream in = UnknownSettings.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new UnknownSettings(defaults.stringPropertyNames().stream().filter(key -> key.startsWith(KEY_PREFIX))
                .collect(Collectors.toSet()));
    }

    /** One line for each PIPELINE_ variable and each -Dpipeline. property that matches no setting. */
    public List<String> find(Map<String, String> environment, Properties systemProperties) {
        Map<String, String> keyOfVariable = new TreeMap<>();
        keys.forEach(key -> keyOfVariable.put(PipelineSettings.environmentVariable(key), key));
        List<String> unknown = new ArrayList<>();
        new TreeSet<>(environment.keySet()).stream()
                .filter(name -> name.startsWith(VARIABLE_PREFIX) && !keyOfVariable.containsKey(name))
                .forEach(name -> unknown.add("environment variable " + name + " " + ignored(name.substring(VARIABLE_PREFIX.length()))));
        new TreeSet<>(systemProperties.stringPropertyNames()).stream()
                .filter(name -> name.startsWith(KEY_PREFIX) && !keys.contains(name))
                .forEach(name -> unknown.add("system property " + name + " " + ignored(name.substring(KEY_PREFIX.length()))));
        return unknown;
    }

    private String ignored(String rest) {
        String group = rest.split("[._-]", 2)[0].toLowerCase(Locale.ROOT);
        String groupPrefix = KEY_PREFIX + group + ".";
        List<String> neighbours = keys.stream().filter(key -> key.startsWith(groupPrefix))
                .map(key -> key.substring(groupPrefix.length())).toList();
        return "matches no setting and is ignored"
                + (neighbours.isEmpty()
                        ? " (README.md lists every setting)"
                        : "; the " + groupPrefix + "* settings are " + String.join(", ", neighbours));
    }
}
