package dev.mtasts.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The local gateway of {@code mta-sts serve} on real sockets, against clients that are slow, send too much or send
 * nonsense: the others are answered as fast as ever, and every refusal is an HTTP answer in our words.
 */
class LocalGatewayTest {
    static final String GET = "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.com\r\n";

    @TempDir
    static Path dir;

    static LocalStack stack;
    static final StringWriter console = new StringWriter();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.open(new LocalStack.Options(0, null, true, dir.resolve("data"), true));
        stack.domains().putItem(java.util.Map.of("domain", "example.com", "mode", "enforce",
                "mx", List.of("mail.example.com"), "max_age", java.math.BigDecimal.valueOf(604800)));
        stack.serve(0, new PrintWriter(console, true));
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", stack.httpPort()), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** Sends {@code request} on a new connection and reads the answer until the gateway closes the connection. */
    static String exchange(String request) throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    /**
     * Eight clients that send their request's head a byte at a time (slowloris) hold no worker: GETs on new
     * connections meanwhile are answered as fast as ever; the slow heads are cut off with 408 once the request time
     * (5 s from their first byte) is up.
     */
    @Test
    void tricklingHeadsDoNotSlowOtherRequests() throws Exception {
        exchange(GET + "Connection: close\r\n\r\n"); // warm
        List<Socket> slow = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < 8; i++) {
                Socket s = connect();
                s.getOutputStream().write((GET + "X-Slow: ").getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            trickle.scheduleAtFixedRate(() -> {
                for (Socket s : slow) {
                    try {
                        s.getOutputStream().write('a');
                    } catch (IOException closed) {
                        // cut off
                    }
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
            Thread.sleep(300);
            long[] millis = new long[20];
            for (int i = 0; i < millis.length; i++) {
                long t = System.nanoTime();
                String answer = exchange(GET + "Connection: close\r\n\r\n");
                millis[i] = (System.nanoTime() - t) / 1_000_000;
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            }
            long max = Arrays.stream(millis).max().orElseThrow();
            System.out.printf("GET with 8 trickling connections: median %.1f ms, max %d ms, %s%n", median(millis), max,
                    Arrays.toString(millis));
            assertTrue(median(millis) < 100, "median " + median(millis) + " ms: " + Arrays.toString(millis));
            assertTrue(max < 1_000, "max " + max + " ms: " + Arrays.toString(millis));
            for (Socket s : slow) {
                String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
                assertEquals("HTTP/1.1 408", answer);
                assertTrue(seconds >= 4 && seconds <= 7, "cut off after " + seconds + " s");
            }
            assertTrue(console.toString().contains("- -> 408 ("), console.toString());
        } finally {
            trickle.shutdownNow();
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * A body over 10 MB sent without {@code Expect: 100-continue} (the client writes it all before it reads): the
     * gateway answers 413 at once and reads and drops the rest, so the client finishes sending, reads the 413 and
     * sees the connection closed, not reset.
     */
    @Test
    void aBodyOverTenMegabytesWithoutExpectGets413AndACleanClose() throws Exception {
        int length = 11 << 20;
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/tlsrpt HTTP/1.1\r\nHost: mta-sts.example.com\r\nContent-Type: application/tlsrpt+gzip\r\n"
                    + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 << 10];
            for (int sent = 0; sent < length; sent += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, length - sent));
            }
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(answer.contains("Connection: close\r\n"), answer);
            assertTrue(answer.endsWith("\r\n\r\n{\"message\":\"The body is over 10 MB (Content-Length 11534336)\"}"), answer);
        }
    }

    /** With {@code Expect: 100-continue}, the 413 comes instead of the 100, and nothing of the body is sent. */
    @Test
    void aBodyOverTenMegabytesWithExpectGets413Before100() throws Exception {
        String answer = exchange("POST /v1/tlsrpt HTTP/1.1\r\nHost: mta-sts.example.com\r\nExpect: 100-continue\r\n"
                + "Content-Length: 11534336\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
    }

    /** A small body with {@code Expect: 100-continue} is asked for, then answered. */
    @Test
    void aBodyWithExpectIsAskedFor() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(("POST /v1/tlsrpt HTTP/1.1\r\nHost: mta-sts.example.com\r\nExpect: 100-continue\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(in.readNBytes(25), StandardCharsets.US_ASCII));
            s.getOutputStream().write("{}".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer); // the reports function's answer to {}
        }
    }

    /**
     * What a client may get wrong in a request's head, each answered with a JSON message in our words, naming what
     * was wrong: never a Java exception, never a reset.
     */
    @ParameterizedTest(name = "[{index}] {1} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            POST /v1/tlsrpt HTTP/1.1\\nHost: mta-sts.example.com\\nContent-Length: 12abc\\n\\n             | 400 | Content-Length must be a number of bytes (got "12abc")
            POST /v1/tlsrpt HTTP/1.1\\nHost: mta-sts.example.com\\nContent-Length: -1\\n\\n                | 400 | Content-Length must be a number of bytes (got "-1")
            POST /v1/tlsrpt HTTP/1.1\\nHost: mta-sts.example.com\\nContent-Length: 99999999999999999999\\n\\n | 400 | Content-Length must be a number of bytes (got "99999999999999999999")
            POST /v1/tlsrpt HTTP/1.1\\nHost: mta-sts.example.com\\nContent-Length: 5\\nContent-Length: 6\\n\\n | 400 | Content-Length is given twice, as 5 and 6
            POST /v1/tlsrpt HTTP/1.1\\nHost: mta-sts.example.com\\nContent-Length: 5\\nTransfer-Encoding: chunked\\n\\n | 400 | Content-Length and Transfer-Encoding together: which one frames the body? (RFC 9112 §6.1)
            POST /v1/tlsrpt HTTP/1.1\\nHost: mta-sts.example.com\\nTransfer-Encoding: gzip, chunked\\n\\n  | 501 | Transfer-Encoding "gzip, chunked" is not supported: only chunked is
            POST /v1/tlsrpt HTTP/1.1\\nHost: mta-sts.example.com\\nTransfer-Encoding: chunked\\n\\nzz\\n    | 400 | A chunk size must be hex digits (got "zz")
            GET /.well-known/mta-sts.txt\\n\\n                                                          | 400 | The request line must be METHOD TARGET HTTP/1.1 (got "GET /.well-known/mta-sts.txt")
            GET /.well-known/mta-sts.txt HTTP/2.0\\n\\n                                                 | 505 | HTTP/2.0 is not spoken here: this server speaks HTTP/1.1
            GET mta-sts.txt HTTP/1.1\\n\\n                                                              | 400 | The request target must be a path beginning with / (got "mta-sts.txt")
            GET /.well-known/mta-sts.txt HTTP/1.1\\nHost mta-sts.example.com\\n\\n                       | 400 | A header field line must be NAME: VALUE (got "Host mta-sts.example.com")
            GET /.well-known/mta-sts.txt HTTP/1.1\\nHost: mta-sts.example.com\\n folded\\n\\n            | 400 | A header field line begins with white space (line folding is obsolete, RFC 9112 §5.2)
            GET /.well-known/mta-sts.txt HTTP/1.1\\nHost: mta-sts.example.com\\nExpect: the-unexpected\\n\\n | 417 | Expect: the-unexpected is not understood here; only 100-continue is
            """)
    void aMalformedRequestGetsAReasonInOurWords(String request, int status, String message) throws Exception {
        String answer = exchange(request.replace("\\n", "\r\n"));
        assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), answer);
        assertTrue(answer.endsWith("\r\n\r\n{\"message\":\"" + message.replace("\"", "\\\"") + "\"}"), answer);
        assertFalse(answer.contains("Exception"), answer);
    }

    /** A head over 16 KB gets 431, whatever fills it. */
    @Test
    void aHeadOverSixteenKilobytesGets431() throws Exception {
        String answer = exchange(GET + "X-Big: " + "a".repeat(20_000) + "\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
        assertTrue(answer.endsWith("{\"message\":\"The request line and header fields are over 16 KB\"}"), answer);
    }

    /** A chunked body is put together before the function sees it, as API Gateway does. */
    @Test
    void aChunkedBodyArrivesWhole() throws Exception {
        String answer = exchange("POST /v1/tlsrpt HTTP/1.1\r\nHost: mta-sts.example.com\r\nContent-Type: application/json"
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\n{\r\n1;ext=1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer); // the reports function's answer to {}
        assertTrue(answer.contains("policies"), answer);
    }

    /** Requests sent one after the other on a connection before the answers (pipelining) are answered in order. */
    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String answer = exchange(GET + "\r\n" + "HEAD /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.com\r\n\r\n"
                + "GET /nothing HTTP/1.1\r\nHost: mta-sts.example.com\r\nConnection: close\r\n\r\n");
        String[] statuses = answer.lines().filter(l -> l.startsWith("HTTP/1.1 ")).toArray(String[]::new);
        assertEquals(List.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"), List.of(statuses), answer);
    }

    /**
     * serve's log line for a request shows what the client sent escaped and cut: a terminal escape in the Host stays
     * text, and a long path is cut.
     */
    @Test
    void theLogEscapesAndCutsWhatTheClientSent() throws Exception {
        String answer = exchange("GET /" + "p".repeat(5000) + " HTTP/1.1\r\nHost: mta-sts.\u001b[2J\u001b]0;owned\u0007"
                + "example.com\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 "), answer);
        String line = console.toString().lines().filter(l -> l.startsWith("GET mta-sts.")).filter(l -> l.contains("owned"))
                .findFirst().orElse("");
        assertTrue(line.startsWith("GET mta-sts.\\x1b[2j\\x1b]0;owned\\x07example.com/" + "p".repeat(199) + "… -> " + answer.substring(9, 12) + " ("),
                line + "\n" + console);
        assertTrue(console.toString().chars().noneMatch(c -> c == 0x1b || c == 0x07), console.toString());
    }
}
