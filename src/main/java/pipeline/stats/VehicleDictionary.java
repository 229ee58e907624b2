package pipeline.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** Numbers the vehicles of a run as the lake files are decoded, on any thread; each vehicle's text is made once. */
final class VehicleDictionary {

    private final ConcurrentHashMap<Object, Integer> ids = new ConcurrentHashMap<>();
    private final List<String> names = new ArrayList<>();

    /**
     * @param value a value as read from a column; a value that may be overwritten later (a page's bytes) is copied by
     *              {@code stable} before it is kept
     */
    int idOf(Object value, UnaryOperator<Object> stable, Function<Object, String> text) {
        Integer known = ids.get(value);
        if (known != null) {
            return known;
        }
        return ids.computeIfAbsent(stable.apply(value), key -> {
            synchronized (names) {
                names.add(text.apply(key));
                return names.size() - 1;
            }
        });
    }

    String name(int id) {
        synchronized (names) {
            return names.get(id);
        }
    }

    int size() {
        synchronized (names) {
            return names.size();
        }
    }
}
