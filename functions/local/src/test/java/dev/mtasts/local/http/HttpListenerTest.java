package dev.mtasts.local.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listener's limits on real sockets, with timeouts short enough to wait out, in front of a handler that says
 * what it was given: method, path and body length.
 */
class HttpListenerTest {
    static final Duration IDLE = Duration.ofMillis(600);
    static final Duration REQUEST = Duration.ofMillis(800);
    final Queue<String> log = new ConcurrentLinkedQueue<>();
    HttpListener listener;

    @BeforeEach
    void start() throws IOException {
        listener = new HttpListener(0, new HttpListener.Settings(10 << 20, 2, IDLE, REQUEST),
                r -> new Response(200, List.of(new Request.Header("Content-Type", "text/plain")),
                        (r.method() + " " + r.target() + " " + r.body().length).getBytes(StandardCharsets.UTF_8)),
                log::add);
    }

    @AfterEach
    void stop() {
        listener.close();
    }

    Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    static String get(String path, String more) {
        return "GET " + path + " HTTP/1.1\r\nHost: mta-sts.example.com\r\n" + more + "\r\n";
    }

    /** One answer from a kept-alive connection: head and the Content-Length bytes of body. */
    static String answer(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new java.io.EOFException("closed after " + b);
            }
            b.append((char) c);
        }
        int length = Integer.parseInt(b.toString().replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
        return b + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Test
    void aKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(get("/a", "").getBytes(StandardCharsets.US_ASCII));
            assertTrue(answer(s.getInputStream()).endsWith("GET /a 0"));
            long t0 = System.nanoTime();
            assertEquals(-1, s.getInputStream().read());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis >= 500 && millis < 2_500, "closed after " + millis + " ms");
        }
    }

    /** A body that stops coming is cut off like a head: 408 once the request time is up, then the close. */
    @Test
    void aStalledBodyGets408() throws Exception {
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            s.getOutputStream().write(("POST /r HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "x".repeat(50))
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
            assertTrue(answer.endsWith("{\"message\":\"The request did not arrive whole within 0.8 s\"}"), answer);
            assertTrue(millis >= 700 && millis < 3_000, "answered after " + millis + " ms");
            assertTrue(log.stream().anyMatch(l -> l.startsWith("POST x/r -> 408 (")), log.toString());
        }
    }

    /** The request time counts from a request's first byte, not from when the connection was opened. */
    @Test
    void theRequestTimeStartsWithTheFirstByte() throws Exception {
        try (Socket s = connect()) {
            Thread.sleep(400); // idle, within the idle timeout
            OutputStream out = s.getOutputStream();
            out.write("GET /slow HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(500);
            out.write("Host: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(answer(s.getInputStream()).endsWith("GET /slow 0"));
        }
    }

    /**
     * Bodies held at once are bounded: with more than 64 MB of them arriving, another body waits for room (here
     * until the stalled ones are cut off) rather than growing memory without end.
     */
    @Test
    void bodiesBeyondTheBudgetWaitForRoom() throws Exception {
        listener.close();
        listener = new HttpListener(0, new HttpListener.Settings(10 << 20, 2, Duration.ofMinutes(1),
                Duration.ofSeconds(10)), r -> new Response(200, List.of(), (r.method() + " " + r.target() + " "
                        + r.body().length).getBytes(StandardCharsets.UTF_8)), log::add);
        List<Socket> stalled = new ArrayList<>();
        try {
            byte[] nineMegabytes = new byte[9 << 20];
            for (int i = 0; i < 8; i++) {
                Socket s = connect();
                OutputStream out = s.getOutputStream();
                out.write(("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: " + (10 << 20) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                new Thread(() -> {
                    try {
                        out.write(nineMegabytes);
                    } catch (IOException cutOff) {
                        // expected
                    }
                }).start();
                stalled.add(s);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (listener.heldBodyBytes() < HttpListener.BODY_BUDGET && System.nanoTime() < deadline) {
                Thread.sleep(20); // 72 MB on their way, until 64 MB of it are held
            }
            assertTrue(listener.heldBodyBytes() >= HttpListener.BODY_BUDGET, "held " + listener.heldBodyBytes());
            assertFalse(log.stream().anyMatch(l -> l.contains("-> 408")), "cut off before the budget was full: " + log);
            try (Socket s = connect()) {
                s.getOutputStream().write("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
                        .getBytes(StandardCharsets.US_ASCII));
                assertTrue(answer(s.getInputStream()).endsWith("POST /small 2"));
                // answered only once a stalled body was cut off (its request timeout) and its room given back
                assertTrue(log.stream().anyMatch(l -> l.startsWith("POST x/big -> 408 (")), log.toString());
            }
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /** At the connection limit, the connection that has waited longest for a request is closed to take a new one. */
    @Test
    void atTheConnectionLimitTheLongestWaitingMakesRoom() throws Exception {
        listener.close();
        listener = new HttpListener(0, new HttpListener.Settings(10 << 20, 2, Duration.ofMinutes(1),
                Duration.ofMinutes(1)), r -> new Response(200, List.of(), new byte[0]), log::add);
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < HttpListener.MAX_CONNECTIONS; i++) {
                held.add(connect());
            }
            Socket last = held.get(held.size() - 1);
            last.getOutputStream().write(get("/", "").getBytes(StandardCharsets.US_ASCII));
            assertTrue(answer(last.getInputStream()).startsWith("HTTP/1.1 200 OK\r\n"));
            try (Socket s = connect()) {
                s.getOutputStream().write(get("/", "Connection: close\r\n").getBytes(StandardCharsets.US_ASCII));
                assertTrue(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                        .startsWith("HTTP/1.1 200 OK\r\n"));
            }
            assertEquals(-1, held.get(0).getInputStream().read(), "the first connection, waiting longest, is closed");
            assertTrue(log.stream().anyMatch(l -> l.startsWith("serve: 1000 connections open (the most kept): closing"
                    + " the one that has waited longest")), log.toString());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
