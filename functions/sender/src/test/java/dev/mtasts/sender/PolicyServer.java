package dev.mtasts.sender;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An HTTPS policy host on 127.0.0.1 with the test CA's certificates (chosen by SNI), answering each Host as the test
 * says: a fixed answer, or whatever a function returns (the local stack, for instance).
 */
public final class PolicyServer implements AutoCloseable {
    /** An HTTP answer. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
        public static Answer policy(String body) {
            return new Answer(200, Map.of("Content-Type", "text/plain; charset=utf-8"), body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<String, Function<String, Answer>> hosts = new ConcurrentHashMap<>();

    public PolicyServer(TestCa ca) throws Exception {
        this(ca, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** On a given address and port, e.g. 127.0.0.2:443 for a client that always uses 443. */
    public PolicyServer(TestCa ca, InetSocketAddress at) throws Exception {
        server = HttpsServer.create(at, 32);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
        server.createContext("/", exchange -> {
            String host = String.valueOf(exchange.getRequestHeaders().getFirst("Host")).replaceAll(":\\d+$", "")
                    .toLowerCase(java.util.Locale.ROOT);
            Function<String, Answer> f = hosts.get(host);
            Answer a = f == null ? new Answer(404, Map.of(), new byte[0]) : f.apply(exchange.getRequestURI().getPath());
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(a.body());
            } catch (IOException stopped) {
                // the client read what it wanted
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public PolicyServer answer(String host, Answer a) {
        hosts.put(host, path -> a);
        return this;
    }

    public PolicyServer answer(String host, Function<String, Answer> f) {
        hosts.put(host, f);
        return this;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
