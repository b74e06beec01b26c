package dev.mtasts.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.mtasts.core.Policy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fetch as senders do it (RFC 8461 §3.3), against a real HTTP listener answering by Host. */
class PolicyFetchTest {
    static final String BODY = "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n";
    static HttpServer server;
    static final PolicyFetch FETCH = new PolicyFetch(null, Duration.ofSeconds(2));

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            String host = exchange.getRequestHeaders().getFirst("Host");
            byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
            switch (host) {
                case "mta-sts.ok.example" -> {
                    exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                }
                case "mta-sts.chunked.example" -> {
                    exchange.getResponseHeaders().add("Content-Type", "text/plain");
                    exchange.sendResponseHeaders(200, 0);
                }
                case "mta-sts.redirect.example" -> {
                    exchange.getResponseHeaders().add("Location", "https://elsewhere.example/mta-sts.txt");
                    exchange.sendResponseHeaders(301, -1);
                    body = new byte[0];
                }
                case "mta-sts.octets.example" -> {
                    exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                    exchange.sendResponseHeaders(200, body.length);
                }
                case "mta-sts.large.example" -> {
                    body = new byte[Policy.MAX_BYTES + 10_000];
                    exchange.getResponseHeaders().add("Content-Type", "text/plain");
                    exchange.sendResponseHeaders(200, body.length);
                }
                case "mta-sts.slow.example" -> {
                    try {
                        Thread.sleep(4000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    exchange.sendResponseHeaders(200, body.length);
                }
                default -> {
                    exchange.sendResponseHeaders(404, -1);
                    body = new byte[0];
                }
            }
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException closed) {
                // the client stopped reading, as senders do past 64 KiB
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static PolicyFetch.Result fetch(String host) throws PolicyFetch.Failure {
        return FETCH.fetch(PolicyFetch.Target.plain(host, InetAddress.getLoopbackAddress(), server.getAddress().getPort()));
    }

    @Test
    void answersAreJudgedAsSendersJudgeThem() throws Exception {
        Object[][] cases = {
            {"mta-sts.ok.example", List.of()},
            {"mta-sts.chunked.example", List.of()},
            {"mta-sts.redirect.example", List.of("HTTP 301 redirect to https://elsewhere.example/mta-sts.txt: senders do not follow redirects (RFC 8461 §3.3); serve the policy at this URL")},
            {"mta-sts.octets.example", List.of("Content-Type \"application/octet-stream\": senders expect text/plain (RFC 8461 §3.3)")},
            {"mta-sts.large.example", List.of("the body is over 65536 bytes: common senders stop reading there")},
            {"mta-sts.unknown.example", List.of("HTTP 404: senders accept only 200 (RFC 8461 §3.3)")},
        };
        for (Object[] c : cases) {
            PolicyFetch.Result r = fetch((String) c[0]);
            assertEquals(c[1], r.answer().problems(), (String) c[0]);
        }
        PolicyFetch.Result ok = fetch("mta-sts.ok.example");
        assertEquals(BODY, ok.answer().text());
        assertEquals(BODY, fetch("mta-sts.chunked.example").answer().text());
        assertEquals(Policy.MAX_BYTES + 1, fetch("mta-sts.large.example").answer().body().length, "reads one byte past the cap, no more");
        assertTrue(ok.timings().total() >= 0 && ok.timings().connect() >= 0);
    }

    @Test
    void oneDeadlineForTheWholeFetch() {
        long t0 = System.nanoTime();
        PolicyFetch.Failure f = assertThrows(PolicyFetch.Failure.class, () -> fetch("mta-sts.slow.example"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("read", f.phase());
        assertTrue(f.getMessage().contains("timed out"), f.getMessage());
        assertTrue(ms < 3000, "gave up after " + ms + " ms");
    }

    @Test
    void nothingListeningIsAConnectFailure() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PolicyFetch.Failure f = assertThrows(PolicyFetch.Failure.class,
                () -> FETCH.fetch(PolicyFetch.Target.plain("mta-sts.ok.example", InetAddress.getLoopbackAddress(), port)));
        assertEquals("connect", f.phase());
    }
}
