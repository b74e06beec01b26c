package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The socketmap protocol (socketmap_table(5)) as a client speaks it, against a handler that echoes the request. */
class SocketmapServerTest {
    final StringWriter log = new StringWriter();
    SocketmapServer server;

    @BeforeEach
    void start() throws Exception {
        server = SocketmapServer.start(new ResolverConfig.Listen("127.0.0.1", 0, null, null), false,
                new SocketmapServer.Timeouts(Duration.ofSeconds(60), Duration.ofSeconds(5)), (name, key) -> "OK " + name + "/" + key, new ResolverLog(new PrintWriter(log, true),
                        ResolverLog.Level.DEBUG, Clock.systemUTC()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Sends {@code wire} at once and reads until the server closes or {@code replies} netstrings have come. */
    String exchange(String wire, int replies) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.listen().port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(wire.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < replies; i++) {
                byte[] r;
                try {
                    r = Netstring.read(in, 100_000);
                } catch (java.io.IOException closed) {
                    break; // reset: the server closed with the rest of our bytes unread
                }
                if (r == null) {
                    break;
                }
                got.append(new String(r, StandardCharsets.UTF_8)).append('|');
            }
            return got.toString();
        }
    }

    static String ns(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length + ":" + s + ",";
    }

    @Test
    void requestsSentTogetherAreAnsweredInOrder() throws Exception {
        assertEquals("OK postfix/a.example|OK strict/b.example|OK postfix/c.example d|",
                exchange(ns("postfix a.example") + ns("strict b.example") + ns("postfix c.example d"), 3));
    }

    @Test
    void aRequestWithoutANameIsRefused() throws Exception {
        assertEquals("PERM the request must be \"name key\" (socketmap_table(5))|OK postfix/a.example|",
                exchange(ns("a.example") + ns("postfix a.example"), 2));
    }

    @Test
    void aMalformedNetstringClosesTheConnection() throws Exception {
        assertEquals("OK postfix/a.example|", exchange(ns("postfix a.example") + "GET / HTTP/1.1\r\n\r\n", 3));
        for (int i = 0; i < 50 && !log.toString().contains("closing a connection"); i++) {
            Thread.sleep(20);
        }
        assertTrue(log.toString().contains("socketmap: closing a connection that sent expected a digit or ':' in a"
                + " netstring length, got 'G'"), log.toString());
    }

    @Test
    void anOverlongRequestIsRefusedBeforeItIsRead() throws Exception {
        assertEquals("", exchange("99999999:postfix ", 1));
        for (int i = 0; i < 50 && !log.toString().contains("closing a connection"); i++) {
            Thread.sleep(20);
        }
        assertTrue(log.toString().contains("a netstring longer than " + SocketmapServer.MAX_REQUEST + " bytes"), log.toString());
    }

    /**
     * A client that sends requests and never reads the replies cannot hold a thread either: once a reply has not been
     * taken within the request timeout, the connection is closed.
     */
    @Test
    void aReplyNotTakenClosesTheConnection() throws Exception {
        try (SocketmapServer impatient = SocketmapServer.start(new ResolverConfig.Listen("127.0.0.1", 0, null, null),
                false, new SocketmapServer.Timeouts(Duration.ofSeconds(60), Duration.ofMillis(500)),
                (name, key) -> "OK " + key, new ResolverLog(new PrintWriter(log, true), ResolverLog.Level.DEBUG,
                        Clock.systemUTC())); Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", impatient.listen().port()));
            s.setSoTimeout(10_000);
            byte[] request = ns("postfix " + "x".repeat(4000)).getBytes(StandardCharsets.US_ASCII);
            OutputStream out = s.getOutputStream();
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < 10_000 && !log.toString().contains("did not take its reply"); i++) {
                    out.write(request); // 40 MB of replies at most, far more than the sockets' buffers hold
                }
            } catch (java.io.IOException closed) {
                // the server closed the connection while we wrote
            }
            for (int i = 0; i < 100 && !log.toString().contains("did not take its reply"); i++) {
                Thread.sleep(50);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(log.toString().contains(": it did not take its reply within 0.5 s (request_timeout)"), log.toString());
            assertTrue(millis < 8_000, "closed after " + millis + " ms");
        }
    }
}
