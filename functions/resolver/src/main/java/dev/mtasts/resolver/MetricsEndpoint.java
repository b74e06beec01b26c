package dev.mtasts.resolver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The counters for Prometheus: {@code GET /metrics} on the address of the {@code metrics} key, in the text format
 * Prometheus scrapes. Off unless configured; one thread, and an answer of a few hundred bytes made from counters, so
 * a request costs the same whoever sends it.
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String PATH = "/metrics";
    private final HttpServer server;
    private final ExecutorService thread;

    private MetricsEndpoint(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    static MetricsEndpoint start(ResolverConfig.Listen at, Counters counters) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(at.host(), at.port()), 16);
        server.createContext("/", exchange -> answer(exchange, counters));
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.start();
        return new MetricsEndpoint(server, thread);
    }

    /** Where it listens, with the port chosen when 0 was asked. */
    int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, Counters counters) throws IOException {
        try (exchange) {
            exchange.getRequestBody().close();
            int status;
            String body;
            String type = "text/plain; charset=utf-8";
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                status = 404;
                body = "not found: the counters are at " + PATH + "\n";
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                status = 405;
                body = "only GET " + PATH + "\n";
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            } else {
                status = 200;
                body = counters.prometheus();
                type = "text/plain; version=0.0.4; charset=utf-8";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
