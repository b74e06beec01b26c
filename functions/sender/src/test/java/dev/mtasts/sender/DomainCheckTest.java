package dev.mtasts.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.Policy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mta-sts check} on real protocol peers: a DNS server answering from a test zone, an HTTPS policy host with
 * certificates of a test CA made here, SMTP servers offering STARTTLS with good, expired and wrong-name certificates.
 * One domain per failure, a table of what each check must say.
 */
class DomainCheckTest {
    static DnsServer dns;
    static TestCa ca;
    static PolicyServer https;
    static SmtpServer smtp;
    static SmtpServer plainSmtp;
    static DomainCheck check;
    static DomainCheck checkPlain;

    static String policy(String mode, String... mx) {
        StringBuilder b = new StringBuilder("version: STSv1\r\nmode: " + mode + "\r\n");
        for (String m : mx) {
            b.append("mx: ").append(m).append("\r\n");
        }
        return b.append("max_age: 604800\r\n").toString();
    }

    static String id(String body) throws Exception {
        return Policy.parse(body).id();
    }

    /** A domain whose records point at the test servers. */
    static void domain(String d, String body, String txt, String... mx) {
        dns.add("mta-sts." + d + ". 300 IN A 127.0.0.1");
        if (txt != null) {
            dns.add("_mta-sts." + d + ". 300 IN TXT \"" + txt + "\"");
        }
        for (int i = 0; i < mx.length; i++) {
            dns.add(d + ". 300 IN MX " + (10 * (i + 1)) + " " + mx[i] + ".");
            dns.add(mx[i] + ". 300 IN A 127.0.0.1");
        }
        if (body != null) {
            https.answer("mta-sts." + d, PolicyServer.Answer.policy(body));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dns = new DnsServer();
        ca = new TestCa();
        Instant now = Instant.now();
        for (String h : List.of("mta-sts.healthy.example", "mta-sts.redirect.example", "mta-sts.large.example",
                "mta-sts.two.example", "mta-sts.drift.example", "mta-sts.octets.example", "mta-sts.stale.example",
                "mta-sts.badrpt.example", "mta-sts.badmx.example", "mx1.healthy.example", "mx.drift.example",
                "mx9.drift.example", "mx.stale.example", "mx.badrpt.example", "mx.octets.example", "mx.two.example",
                "mx.large.example", "mx.redirect.example")) {
            ca.serve(h, ca.issue(h));
        }
        ca.serve("mta-sts.wrongname.example", ca.issue("www.elsewhere.example"));
        ca.serve("mta-sts.expired.example", ca.issue(now.minusSeconds(86400 * 100), now.minusSeconds(86400), "mta-sts.expired.example"));
        for (String h : List.of("mta-sts.notfound.example", "mta-sts.norua.example", "mx.notfound.example", "mx.norua.example",
                "mta-sts.rua.example", "mx.rua.example", "reports.rua.example")) {
            ca.serve(h, ca.issue(h));
        }
        ca.serve("mx-expired.badmx.example", ca.issue(now.minusSeconds(86400 * 100), now.minusSeconds(86400), "mx-expired.badmx.example"));
        ca.serve("mx-wrongname.badmx.example", ca.issue("mail.someone-else.example"));
        ca.serve("mx-soon.badmx.example", ca.issue(now.minusSeconds(86400), now.plusSeconds(86400 * 3), "mx-soon.badmx.example"));
        https = new PolicyServer(ca);
        smtp = new SmtpServer(ca, true);
        plainSmtp = new SmtpServer(ca, false);

        String healthy = policy("enforce", "*.healthy.example");
        domain("healthy.example", healthy, "v=STSv1; id=" + id(healthy), "mx1.healthy.example");
        dns.add("_smtp._tls.healthy.example. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@healthy.example\"");
        dns.add("nosts.example. 300 IN MX 10 mx.nosts.example.");
        domain("redirect.example", null, "v=STSv1; id=1", "mx.redirect.example");
        https.answer("mta-sts.redirect.example", new PolicyServer.Answer(301,
                Map.of("Location", "https://www.redirect.example/mta-sts.txt"), new byte[0]));
        StringBuilder big = new StringBuilder("version: STSv1\r\nmode: testing\r\n");
        while (big.length() < 66_000) {
            big.append("mx: mx").append(big.length()).append(".large.example\r\n");
        }
        domain("large.example", big.append("max_age: 86400\r\n").toString(), "v=STSv1; id=1", "mx.large.example");
        String two = policy("testing", "mx.two.example");
        domain("two.example", two, "v=STSv1; id=" + id(two), "mx.two.example");
        dns.add("_mta-sts.two.example. 300 IN TXT \"v=STSv1; id=other\"");
        String drift = policy("enforce", "mx.drift.example");
        domain("drift.example", drift, "v=STSv1; id=" + id(drift), "mx.drift.example", "mx9.drift.example");
        domain("octets.example", null, "v=STSv1; id=1", "mx.octets.example");
        https.answer("mta-sts.octets.example", new PolicyServer.Answer(200, Map.of("Content-Type", "application/octet-stream"),
                policy("testing", "mx.octets.example").getBytes(StandardCharsets.US_ASCII)));
        domain("stale.example", policy("testing", "mx.stale.example"), "v=STSv1; id=oldid123", "mx.stale.example");
        String badrpt = policy("testing", "mx.badrpt.example");
        domain("badrpt.example", badrpt, "v=STSv1; id=" + id(badrpt), "mx.badrpt.example");
        dns.add("_smtp._tls.badrpt.example. 300 IN TXT \"v=TLSRPTv1; rua=mailto:abccba.com\"");
        String wrong = policy("testing", "mx.wrongname.example");
        domain("wrongname.example", wrong, "v=STSv1; id=" + id(wrong), "mx.wrongname.example");
        String badmx = policy("enforce", "*.badmx.example");
        domain("badmx.example", badmx, "v=STSv1; id=" + id(badmx), "mx-expired.badmx.example", "mx-wrongname.badmx.example",
                "mx-soon.badmx.example");

        domain("notfound.example", null, "v=STSv1; id=1", "mx.notfound.example");
        String norua = policy("testing", "mx.norua.example");
        domain("norua.example", norua, "v=STSv1; id=" + id(norua), "mx.norua.example");
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        dns.add("_smtp._tls.norua.example. 300 IN TXT \"v=TLSRPTv1; rua=https://reports.norua.example:" + closed + "/v1\"")
                .add("reports.norua.example. 300 IN A 127.0.0.1");
        // an https: report address without a port is asked on the port the policy hosts are (--https-port)
        String rua = policy("testing", "mx.rua.example");
        domain("rua.example", rua, "v=STSv1; id=" + id(rua), "mx.rua.example");
        dns.add("_smtp._tls.rua.example. 300 IN TXT \"v=TLSRPTv1; rua=https://reports.rua.example/v1/tlsrpt\"")
                .add("reports.rua.example. 300 IN A 127.0.0.1");
        dns.add("_mta-sts.noaddr.example. 300 IN TXT \"v=STSv1; id=1\"").add("noaddr.example. 300 IN MX 10 mx.noaddr.example.");
        String expired = policy("testing", "mx.expired.example");
        domain("expired.example", expired, "v=STSv1; id=" + id(expired), "mx.expired.example");

        Dns resolver = Dns.server(dns.address(), Duration.ofSeconds(2));
        Trust trust = TestCa.trust(ca);
        Sender sender = new Sender(resolver, new PolicyFetch(trust.context(), Duration.ofSeconds(3)), https.port());
        check = new DomainCheck(sender, new SmtpProbe(TestCa.trust(ca), Duration.ofSeconds(2), smtp.port()), Clock.systemUTC());
        checkPlain = new DomainCheck(sender, new SmtpProbe(TestCa.trust(ca), Duration.ofSeconds(2), plainSmtp.port()), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        dns.close();
        https.close();
        smtp.close();
        plainSmtp.close();
    }

    static DomainCheck.Report run(DomainCheck c, String domain, boolean ours) throws Exception {
        return c.check(DomainName.parse(domain), ours);
    }

    static String levels(DomainCheck.Report r) {
        return r.findings().stream().map(f -> f.check() + "=" + f.level().text()).collect(Collectors.joining(", "));
    }

    @Test
    void aHealthyDomainIsAllOk() throws Exception {
        DomainCheck.Report r = run(check, "healthy.example", true);
        assertEquals(DomainCheck.Level.OK, r.worst(), r.findings().toString());
        assertTrue(levels(r).contains("smtp mx1.healthy.example=ok"), levels(r));
        assertTrue(r.timings().get("total") < 4000);
    }

    /** Each broken domain: the check that must fail, its level, and words its message must hold. */
    @Test
    void eachFailureIsNamedWithItsFix() throws Exception {
        Object[][] cases = {
            {"redirect.example", "https policy", DomainCheck.Level.ERROR, "senders do not follow redirects"},
            {"large.example", "https policy", DomainCheck.Level.ERROR, "over 65536 bytes"},
            {"two.example", "_mta-sts", DomainCheck.Level.ERROR, "2 records start with v=STSv1"},
            {"drift.example", "mx coverage", DomainCheck.Level.ERROR, "MX mx9.drift.example matches no pattern of the enforce policy"},
            {"octets.example", "https policy", DomainCheck.Level.ERROR, "senders expect text/plain"},
            {"stale.example", "id", DomainCheck.Level.ERROR, "is not the id of the body served"},
            {"badrpt.example", "_smtp._tls", DomainCheck.Level.ERROR, "senders ignore the record"},
            {"wrongname.example", "https", DomainCheck.Level.ERROR, "does not name the host"},
            {"nosts.example", "_mta-sts", DomainCheck.Level.ERROR, "senders see no MTA-STS policy"},
            {"nothing.example", "domain", DomainCheck.Level.ERROR, "does not exist in DNS (NXDOMAIN)"},
            {"badmx.example", "smtp mx-expired.badmx.example", DomainCheck.Level.ERROR, "expired"},
            {"badmx.example", "smtp mx-wrongname.badmx.example", DomainCheck.Level.ERROR, "does not name the host"},
            {"badmx.example", "smtp mx-soon.badmx.example", DomainCheck.Level.WARNING, "expires in 2 days"},
            {"healthy.example", "_smtp._tls", DomainCheck.Level.OK, "v=TLSRPTv1"},
            {"notfound.example", "https policy", DomainCheck.Level.ERROR, "HTTP 404: senders accept only 200"},
            {"norua.example", "_smtp._tls endpoint", DomainCheck.Level.ERROR, "reports sent there are lost"},
            {"rua.example", "_smtp._tls endpoint", DomainCheck.Level.OK, "takes TLS connections on a valid certificate"},
            {"noaddr.example", "policy host", DomainCheck.Level.ERROR, "has no A or AAAA record"},
            {"expired.example", "https", DomainCheck.Level.ERROR, "the certificate has expired"},
        };
        for (Object[] c : cases) {
            DomainCheck.Report r = run(check, (String) c[0], true);
            DomainCheck.Finding f = r.findings().stream().filter(x -> x.check().equals(c[1])).findFirst()
                    .orElseThrow(() -> new AssertionError(c[0] + ": no " + c[1] + " in " + r.findings()));
            assertEquals(c[2], f.level(), c[0] + ": " + f);
            assertTrue(f.message().contains((String) c[3]), c[0] + ": " + f.message());
            assertEquals(r.worst(), r.findings().get(0).level(), "failing ones first");
        }
    }

    @Test
    void noStartTlsUnderEnforceIsAnError() throws Exception {
        DomainCheck.Finding f = run(checkPlain, "healthy.example", true).findings().stream()
                .filter(x -> x.check().equals("smtp mx1.healthy.example")).findFirst().orElseThrow();
        assertEquals(DomainCheck.Level.ERROR, f.level());
        assertTrue(f.message().contains("does not offer STARTTLS"), f.message());
    }

    @Test
    void aRefusedPort25IsAnErrorNothingListens() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Sender sender = new Sender(Dns.server(dns.address(), Duration.ofSeconds(2)),
                new PolicyFetch(ca.clientContext(), Duration.ofSeconds(3)), https.port());
        DomainCheck c = new DomainCheck(sender, new SmtpProbe(TestCa.trust(ca), Duration.ofSeconds(1), closed), Clock.systemUTC());
        DomainCheck.Finding f = run(c, "healthy.example", true).findings().stream()
                .filter(x -> x.check().startsWith("smtp")).findFirst().orElseThrow();
        assertEquals(DomainCheck.Level.ERROR, f.level(), f.toString());
        assertTrue(f.message().contains("cannot connect to port"), f.message());
    }
}
