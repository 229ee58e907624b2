package pipeline.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The network between the pipeline and its S3 server, as a TCP relay a test can break: cut it,
 * cut an upload half-way, hold back S3's answer to an upload, or act at the moment S3 has stored an
 * upload but the pipeline has not heard so yet. It reads only request lines, never the bodies.
 */
final class S3Link implements AutoCloseable {

    /** What the relay does with the next request of a kind. */
    enum Fault {
        NONE, CUT_HALF_WAY, HOLD_ANSWER, ACT_WHEN_STORED
    }

    private final ServerSocket listener;
    private final URI target;
    private final String rawUpload;
    private final String rawDownload;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Fault> nextUpload = new AtomicReference<>(Fault.NONE);
    private final AtomicReference<Runnable> whenStored = new AtomicReference<>();
    private final AtomicReference<Runnable> whenDownloading = new AtomicReference<>();
    private final AtomicInteger uploadsSeen = new AtomicInteger();
    private volatile boolean down;
    private volatile Duration hold = Duration.ZERO;

    /** A relay on a free local port to the S3 server at {@code endpoint}, watching uploads of {@code bucket}'s raw files. */
    S3Link(String endpoint, String bucket) throws IOException {
        this.target = URI.create(endpoint);
        this.rawUpload = "PUT /" + bucket + "/raw/";
        this.rawDownload = "GET /" + bucket + "/raw/";
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "s3-link");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** S3 unreachable: open connections are reset and new ones closed at once, until {@link #restore()}. */
    void cut() {
        down = true;
        open.forEach(S3Link::closeQuietly);
    }

    void restore() {
        down = false;
    }

    /** The next upload of a raw file loses its connection after half of what the relay has of it. */
    void cutNextUploadHalfWay() {
        nextUpload.set(Fault.CUT_HALF_WAY);
    }

    /** S3's answer to the next upload of a raw file is held back this long (the file is stored meanwhile). */
    void holdNextUploadAnswer(Duration duration) {
        hold = duration;
        nextUpload.set(Fault.HOLD_ANSWER);
    }

    /** Runs {@code action} once S3 has stored the next raw file, before its answer reaches the pipeline (then dropped). */
    void whenNextUploadStored(Runnable action) {
        whenStored.set(action);
        nextUpload.set(Fault.ACT_WHEN_STORED);
    }

    /** Runs {@code action} when a raw file is next downloaded (the statistics read the lake; the lake writer never does). */
    void whenNextDownload(Runnable action) {
        whenDownloading.set(action);
    }

    int uploadsSeen() {
        return uploadsSeen.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (down) {
                    closeQuietly(client);
                    continue;
                }
                Socket server = new Socket(target.getHost(), target.getPort());
                open.add(client);
                open.add(server);
                Connection connection = new Connection(client, server);
                start(connection::requests, "s3-link-requests");
                start(connection::answers, "s3-link-answers");
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void start(Runnable pump, String name) {
        Thread thread = new Thread(pump, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** One client connection and its connection to S3; HTTP/1.1 answers come in request order. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        private volatile Fault pendingUpload;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void requests() {
            byte[] buffer = new byte[65536];
            long untilCut = -1;
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    // a request's head arrives at the start of a read: the SDK writes it in one go
                    String head = new String(buffer, 0, Math.min(read, 8192), StandardCharsets.ISO_8859_1);
                    if (untilCut < 0 && head.startsWith(rawUpload)) {
                        uploadsSeen.incrementAndGet();
                        pendingUpload = nextUpload.getAndSet(Fault.NONE);
                        if (pendingUpload == Fault.CUT_HALF_WAY) {
                            untilCut = head.indexOf("\r\n\r\n") + 4 + contentLength(head) / 2;
                        }
                    } else if (untilCut < 0 && head.startsWith(rawDownload)) {
                        Runnable action = whenDownloading.getAndSet(null);
                        if (action != null) {
                            action.run();
                        }
                    }
                    int forward = untilCut < 0 ? read : (int) Math.min(read, untilCut);
                    out.write(buffer, 0, forward);
                    out.flush();
                    if (untilCut >= 0) {
                        untilCut -= forward;
                        if (untilCut == 0) {
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                // either side went away: the other is closed below
            }
            close();
        }

        private static long contentLength(String head) {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    return Long.parseLong(line.substring("content-length:".length()).trim());
                }
                if (line.isEmpty()) {
                    break;
                }
            }
            throw new IllegalStateException("an upload without Content-Length: " + head.lines().findFirst().orElse(""));
        }

        void answers() {
            byte[] buffer = new byte[65536];
            try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    // "100 Continue" lets the body go; the upload is stored when the final answer comes
                    boolean interim = new String(buffer, 0, Math.min(read, 12), StandardCharsets.ISO_8859_1).equals("HTTP/1.1 100");
                    Fault fault = interim ? null : pendingUpload;
                    if (!interim) {
                        pendingUpload = null;
                    }
                    if (fault == Fault.HOLD_ANSWER) {
                        Thread.sleep(hold.toMillis());
                    } else if (fault == Fault.ACT_WHEN_STORED) {
                        whenStored.getAndSet(() -> {}).run();
                        close();
                        return;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // either side went away: the other is closed below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }

        void close() {
            closeQuietly(client);
            closeQuietly(server);
            open.remove(client);
            open.remove(server);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        open.forEach(S3Link::closeQuietly);
    }
}
