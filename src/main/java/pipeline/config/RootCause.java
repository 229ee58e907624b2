package pipeline.config;

import java.net.SocketException;
import java.net.SocketTimeoutException;

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

    /**
     * {@code Class: message} of the innermost cause. When that is a socket error of the JDK, which says
     * what happened but not to which address ({@code Connection refused}), the client that wrapped it
     * (the Postgres driver, the S3 client's HTTP connection) is described instead: its message names the
     * host and port.
     */
    public static String describe(Throwable failure) {
        Throwable told = of(failure);
        if (told instanceof SocketException || told instanceof SocketTimeoutException) {
            Throwable wrapper = wrapperOf(failure, told);
            if (wrapper != null && saysMoreThan(wrapper, told)) {
                told = wrapper;
            }
        }
        return told.getClass().getSimpleName() + ": " + told.getMessage();
    }

    private static Throwable wrapperOf(Throwable failure, Throwable cause) {
        for (Throwable outer = failure; outer != null && outer != cause; outer = outer.getCause()) {
            if (outer.getCause() == cause) {
                return outer;
            }
        }
        return null;
    }

    // a wrapper built from its cause alone (new RuntimeException(cause)) repeats it and adds nothing
    private static boolean saysMoreThan(Throwable wrapper, Throwable cause) {
        String message = wrapper.getMessage();
        return message != null && !message.isBlank() && !message.equals(cause.toString());
    }
}
