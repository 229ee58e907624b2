package pipeline.config;

/** The innermost cause of an exception chain: the part of a failure an operator can act on. */
public final class RootCause {

    private RootCause() {
    }

    public static Throwable of(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** {@code Class: message} of the innermost cause. */
    public static String describe(Throwable failure) {
        Throwable root = of(failure);
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
