package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The counters' endpoint answers a scrape however other clients behave: ones that send their headers slowly, announce
 * a body and never send it, or send nothing at all, more of them than it has threads.
 */
class MetricsEndpointTest {

    static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void answersAsPrometheusScrapes() throws Exception {
        Counters counters = new Counters(() -> 2, () -> 1);
        counters.fetch();
        try (MetricsEndpoint m = MetricsEndpoint.start(new ResolverConfig.Listen("127.0.0.1", 0, null, null), counters)) {
            String ok = exchange(m.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(ok.startsWith("HTTP/1.1 200 OK\r\n"), ok);
            assertTrue(ok.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), ok);
            assertTrue(ok.endsWith(counters.prometheus()), ok);
            String head = exchange(m.port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.endsWith("\r\n\r\n"), head);
            assertTrue(exchange(m.port(), "GET / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 404 "));
            String post = exchange(m.port(), "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
            assertTrue(post.startsWith("HTTP/1.1 405 ") && post.contains("Allow: GET, HEAD\r\n"), post);
            assertTrue(exchange(m.port(), "hello\r\n\r\n").startsWith("HTTP/1.1 400 "));
        }
    }

    @Test
    void slowAndSilentClientsDoNotHoldTheScrape() throws Exception {
        Counters counters = new Counters(() -> 0, () -> 0);
        try (MetricsEndpoint m = MetricsEndpoint.start(new ResolverConfig.Listen("127.0.0.1", 0, null, null), counters)) {
            List<Socket> held = new ArrayList<>();
            try {
                for (String first : List.of("GET /metrics HTTP/1.1\r\nHost: x\r\n", // headers never finished
                        "POST /metrics HTTP/1.1\r\nContent-Length: 100\r\n\r\n", // a body never sent
                        "", "", "", "", "")) { // nothing at all
                    Socket s = new Socket("127.0.0.1", m.port());
                    OutputStream out = s.getOutputStream();
                    out.write(first.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    held.add(s);
                }
                Thread.sleep(200);
                long start = System.nanoTime();
                String ok = exchange(m.port(), "GET /metrics HTTP/1.1\r\n\r\n");
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ok.startsWith("HTTP/1.1 200 OK\r\n"), ok);
                assertTrue(ms < MetricsEndpoint.READ_TIMEOUT_MS + 1000, "answered after " + ms + " ms");
                // the client of the body never sent was answered, not left waiting
                held.get(1).setSoTimeout(5000);
                String post = new String(held.get(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals("HTTP/1.1 405 Method Not Allowed", post.lines().findFirst().orElse(""), post);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
