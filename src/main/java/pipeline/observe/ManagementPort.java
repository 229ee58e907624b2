package pipeline.observe;

import java.io.IOException;
import java.net.ServerSocket;

import pipeline.config.ConfigurationException;

/**
 * The management port (health, metrics) must be this process's own: Camel's HTTP server only logs
 * a port it could not bind and starts without it, and probes would then judge whatever listens there.
 */
public final class ManagementPort {

    private ManagementPort() {
    }

    /** Refuses a port another process listens on; 0 lets the system pick a free one. */
    public static void requireFree(int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket(port)) {
            // bound on all interfaces, as the management server binds; closing it frees the port at once
        } catch (IOException e) {
            throw new ConfigurationException("pipeline.http.port", String.valueOf(port),
                    "the port is in use by another process (" + e.getMessage() + ")");
        }
    }
}
