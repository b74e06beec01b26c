package dev.mtasts.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DNS as senders see it, against a real DNS server on 127.0.0.1. */
class DnsTest {
    static DnsServer server;
    static Dns dns;

    @BeforeAll
    static void start() throws Exception {
        server = new DnsServer()
                .add("example.com. 300 IN MX 20 backup.example.com.")
                .add("example.com. 300 IN MX 10 Mail.Example.com.")
                .add("_mta-sts.example.com. 300 IN TXT \"v=STSv1; \" \"id=abc\"")
                .add("mta-sts.example.com. 300 IN A 192.0.2.10")
                .add("mta-sts.example.com. 300 IN AAAA 2001:db8::10")
                .add("_mta-sts.delegated.example. 300 IN CNAME _mta-sts.provider.example.")
                .add("_mta-sts.provider.example. 300 IN TXT \"v=STSv1; id=fromprovider\"")
                .add("_mta-sts.loop.example. 300 IN CNAME _mta-sts.loop2.example.")
                .add("_mta-sts.loop2.example. 300 IN CNAME _mta-sts.loop.example.")
                .failing("broken.example")
                .silent("slow.example")
                .add("signed.example. 300 IN MX 10 mx.signed.example.")
                .add("_25._tcp.mx.signed.example. 300 IN TLSA 3 1 1 "
                        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
                .add("_25._tcp.mx.signed.example. 300 IN TLSA 2 0 2 " + "ab".repeat(64))
                .add("alias.signed.example. 300 IN CNAME mx.unsigned.example.")
                .add("mx.unsigned.example. 300 IN A 192.0.2.25")
                .signed("signed.example");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            big.append('"').append("x".repeat(200)).append("\" ");
        }
        server.add("big.example. 300 IN TXT " + big);
        dns = Dns.server(server.address(), Duration.ofMillis(800));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void recordsAsSendersReadThem() throws Exception {
        assertEquals(List.of(List.of("v=STSv1; ", "id=abc")), dns.txt("_mta-sts.example.com").records());
        assertEquals(List.of(new Dns.Mx(10, "mail.example.com"), new Dns.Mx(20, "backup.example.com")),
                dns.mx("example.com").records());
        assertEquals(List.of("192.0.2.10", "2001:db8:0:0:0:0:0:10"),
                dns.addresses("mta-sts.example.com").records().stream().map(a -> a.getHostAddress()).toList());
        assertEquals(8, dns.txt("big.example").records().get(0).size(), "over 512 bytes: asked again over TCP");
    }

    @Test
    void aCnameDelegationIsFollowed() throws Exception {
        Dns.Answer<List<String>> a = dns.txt("_mta-sts.delegated.example");
        assertEquals(List.of(List.of("v=STSv1; id=fromprovider")), a.records());
        assertEquals(List.of("_mta-sts.delegated.example -> _mta-sts.provider.example"), a.cnames());
        assertEquals("_mta-sts.provider.example", a.owner());
        assertThrows(Dns.Failure.class, () -> dns.txt("_mta-sts.loop.example"));
    }

    @Test
    void noRecordsIsAnAnswerAFailingServerIsNot() throws Exception {
        Dns.Answer<List<String>> none = dns.txt("_mta-sts.nowhere.example");
        assertTrue(none.records().isEmpty() && none.nxdomain());
        Dns.Answer<List<String>> nodata = dns.txt("example.com");
        assertTrue(nodata.records().isEmpty());
        assertFalse(nodata.nxdomain());
        Dns.Failure servfail = assertThrows(Dns.Failure.class, () -> dns.txt("broken.example"));
        assertTrue(servfail.passing() && servfail.getMessage().contains("SERVFAIL"), servfail.getMessage());
        long t0 = System.nanoTime();
        Dns.Failure timeout = assertThrows(Dns.Failure.class, () -> dns.txt("slow.example"));
        assertTrue(timeout.passing(), timeout.getMessage());
        assertTrue(timeout.getMessage().endsWith("(timed out)"), timeout.getMessage());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 3000, "gave up within the timeout");
    }

    /** Nothing listening on the server's port is said as such, not as a timeout (ICMP port unreachable over UDP). */
    @Test
    void aServerThatRefusesIsNotOneThatTimesOut() throws Exception {
        int closed;
        try (var s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Dns refusing = Dns.server("127.0.0.1:" + closed, Duration.ofSeconds(2));
        Dns.Failure refused = assertThrows(Dns.Failure.class, () -> refusing.txt("_mta-sts.example.com"));
        assertEquals("no answer for _mta-sts.example.com TXT (connection refused: no DNS server at 127.0.0.1:" + closed
                + ")", refused.getMessage());
        assertTrue(refused.passing(), "a server may be started later");
    }

    /**
     * A resolver answering a stream of questions does not start a thread for each answer (dnsjava's default does on a
     * host of one or two cores, where the common fork-join pool is replaced by a thread per task).
     */
    @Test
    void questionsDoNotStartAThreadEach() throws Exception {
        dns.mx("example.com");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long before = threads.getTotalStartedThreadCount();
        for (int i = 0; i < 100; i++) {
            assertEquals(2, dns.mx("example.com").records().size());
        }
        long started = threads.getTotalStartedThreadCount() - before;
        assertTrue(started <= 10, started + " threads started for 100 questions");
    }

    /** A validating resolver's AD bit is asked for and kept, for every answer on a CNAME chain; TLSA as senders judge it. */
    @Test
    void dnssecValidationAsTheResolverReportsIt() throws Exception {
        assertTrue(dns.mx("signed.example").validated());
        assertFalse(dns.mx("example.com").validated(), "an unsigned zone");
        assertTrue(dns.mx("nothing.signed.example").validated(), "a validated NXDOMAIN");
        assertFalse(dns.addresses("alias.signed.example").validated(), "the chain leaves the signed zone");
        Dns.Answer<Dns.Tlsa> tlsa = dns.tlsa("mx.signed.example");
        assertTrue(tlsa.validated());
        assertEquals(List.of(new Dns.Tlsa(2, 0, 2, 64), new Dns.Tlsa(3, 1, 1, 32)),
                tlsa.records().stream().sorted(java.util.Comparator.comparingInt(Dns.Tlsa::usage)).toList());
        assertTrue(dns.onThisHost(), "127.0.0.1");
        assertFalse(Dns.server("192.0.2.53", Duration.ofSeconds(1)).onThisHost());
    }
}
