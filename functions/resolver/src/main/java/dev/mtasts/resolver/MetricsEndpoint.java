package dev.mtasts.resolver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The counters for Prometheus: {@code GET /metrics} on the address of the {@code metrics} key, in the text format
 * Prometheus scrapes. Off unless configured.
 *
 * <p>A request is its request line and headers, read within {@link #READ_TIMEOUT_MS} and {@link #MAX_HEAD} bytes; a
 * body is never read, and the connection is closed after each answer. So a client that sends slowly, sends a body
 * it announced but never comes, or sends nothing holds one of a few threads for two seconds at most, and a scrape
 * behind it waits no longer than that. (The JDK's HTTP server reads headers and drains bodies without a deadline.)
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String PATH = "/metrics";
    /** Time a client has for its request line and headers. */
    static final int READ_TIMEOUT_MS = 2000;
    static final int MAX_HEAD = 8192;
    private static final int THREADS = 4;

    private final ServerSocket server;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;

    private MetricsEndpoint(ServerSocket server, ThreadPoolExecutor workers, Thread acceptor) {
        this.server = server;
        this.workers = workers;
        this.acceptor = acceptor;
    }

    static MetricsEndpoint start(ResolverConfig.Listen at, Counters counters) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(at.host(), at.port()), 16);
        ThreadPoolExecutor workers = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(64), r -> daemon(r, "metrics"));
        workers.allowCoreThreadTimeOut(true);
        Thread acceptor = daemon(() -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException closed) {
                    return;
                }
                try {
                    workers.execute(() -> serve(client, counters));
                } catch (RejectedExecutionException full) {
                    close(client); // 64 waiting already: this one is not worth a thread
                }
            }
        }, "metrics-accept");
        acceptor.start();
        return new MetricsEndpoint(server, workers, acceptor);
    }

    /** Where it listens, with the port chosen when 0 was asked. */
    int port() {
        return server.getLocalPort();
    }

    private static void serve(Socket client, Counters counters) {
        try (client) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MS);
            String head = head(client, deadline);
            if (head == null) {
                return; // too slow, or gone
            }
            String[] request = head.lines().findFirst().orElse("").split(" ");
            if (request.length != 3 || !request[2].startsWith("HTTP/")) {
                answer(client, 400, "Bad Request", "text/plain; charset=utf-8", "not an HTTP request\n", null, false);
                return;
            }
            String method = request[0];
            String path = request[1].split("\\?", 2)[0];
            boolean headOnly = method.equals("HEAD");
            if (!path.equals(PATH)) {
                answer(client, 404, "Not Found", "text/plain; charset=utf-8",
                        "not found: the counters are at " + PATH + "\n", null, headOnly);
            } else if (!method.equals("GET") && !headOnly) {
                answer(client, 405, "Method Not Allowed", "text/plain; charset=utf-8", "only GET " + PATH + "\n",
                        "GET, HEAD", false);
            } else {
                answer(client, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", counters.prometheus(), null,
                        headOnly);
            }
        } catch (IOException gone) {
            // the client left; nothing to answer
        }
    }

    /** The request line and headers, up to the empty line; null when they do not come in time or in size. */
    private static String head(Socket client, long deadline) throws IOException {
        InputStream in = client.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return null;
            }
            client.setSoTimeout((int) left);
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException slow) {
                return null;
            }
            if (n < 0) {
                return null;
            }
            head.write(buf, 0, n);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                end = text.indexOf("\n\n");
            }
            if (end >= 0) {
                return text.substring(0, end);
            }
            if (head.size() > MAX_HEAD) {
                return null;
            }
        }
    }

    private static void answer(Socket client, int status, String text, String type, String body, String allow,
            boolean headOnly) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String headers = "HTTP/1.1 " + status + " " + text + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + bytes.length + "\r\n" + (allow == null ? "" : "Allow: " + allow + "\r\n") + "Connection: close\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) {
            out.write(bytes);
        }
        out.flush();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing what we are done with
        }
        acceptor.interrupt();
        workers.shutdownNow();
    }
}
