package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.sender.DnsServer;
import dev.mtasts.sender.PolicyServer;
import dev.mtasts.sender.SmtpServer;
import dev.mtasts.sender.TestCa;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mta-sts check} against the real local stack behind an HTTPS listener with a test CA's certificate, a DNS
 * server answering from a test zone, and an SMTP server offering STARTTLS: a healthy domain, then MX drift.
 */
class CheckCliTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    static ServeCommand serve;
    static CompletableFuture<Integer> exit;
    static final StringWriter console = new StringWriter();
    static DnsServer dns;
    static TestCa ca;
    static PolicyServer https;
    static SmtpServer smtp;
    static Path caFile;
    static String id;

    @BeforeAll
    static void start() throws Exception {
        Path domains = Files.writeString(dir.resolve("domains.json"), "[{\"domain\": \"example.com\", \"mode\": \"enforce\", "
                + "\"mx\": [\"mail.example.com\", \"*.mx.example.net\"], \"max_age\": 604800}]");
        serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        cl.setOut(new PrintWriter(console, true));
        exit = CompletableFuture.supplyAsync(() -> cl.execute("--port", "0", "--dynamodb-port", "0", "--local-only",
                "--domains", domains.toString(), "--data-dir", dir.resolve("raw").toString()));
        assertTrue(serve.started.await(60, TimeUnit.SECONDS), console.toString());
        ca = new TestCa();
        ca.serve("mta-sts.example.com", ca.issue("mta-sts.example.com"))
                .serve("mail.example.com", ca.issue("mail.example.com"))
                .serve("mx1.mx.example.net", ca.issue("mx1.mx.example.net"));
        caFile = ca.pem(dir.resolve("ca.pem"));
        // the HTTPS listener in front of the local stack: TLS here, the request passed on with its Host
        https = new PolicyServer(ca).answer("mta-sts.example.com", path -> {
            try {
                HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort + path))
                        .header("Host", "mta-sts.example.com").build(), HttpResponse.BodyHandlers.ofByteArray());
                return new PolicyServer.Answer(r.statusCode(), Map.of("Content-Type",
                        r.headers().firstValue("Content-Type").orElse("")), r.body());
            } catch (Exception e) {
                return new PolicyServer.Answer(502, Map.of(), new byte[0]);
            }
        });
        smtp = new SmtpServer(ca, true);
        Cli records = Cli.run("records", "example.com", "--endpoint-url", "http://127.0.0.1:" + serve.dynamoPort);
        id = records.out().replaceAll("(?s).*id=(\\w+).*", "$1");
        dns = new DnsServer()
                .add("_mta-sts.example.com. 300 IN TXT \"v=STSv1; id=" + id + "\"")
                // the stack's own report address, as records prints it: asked on --https-port like the policy
                .add("_smtp._tls.example.com. 300 IN TXT \"v=TLSRPTv1; rua=https://mta-sts.example.com/v1/tlsrpt\"")
                .add("mta-sts.example.com. 300 IN A 127.0.0.1")
                .add("example.com. 300 IN MX 10 mail.example.com.")
                .add("example.com. 300 IN MX 20 mx1.mx.example.net.")
                .add("mail.example.com. 300 IN A 127.0.0.1")
                .add("mx1.mx.example.net. 300 IN A 127.0.0.1");
    }

    @AfterAll
    static void stop() throws Exception {
        serve.stop();
        exit.get(30, TimeUnit.SECONDS);
        dns.close();
        https.close();
        smtp.close();
    }

    static Cli check(String... more) {
        String[] base = {"check", "example.com", "--dns-server", dns.address(), "--ca-file", caFile.toString(),
                "--https-port", Integer.toString(https.port()), "--smtp-port", Integer.toString(smtp.port())};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return Cli.run(all);
    }

    @Test
    void aHealthyDomainOfTheLocalStackPassesEveryCheck() {
        long t0 = System.nanoTime();
        Cli r = check("--smtp");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("check --smtp of a healthy domain: " + ms + " ms\n" + r.out());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().startsWith("example.com: all checks ok"), r.out());
        assertTrue(r.out().contains("_mta-sts") && r.out().contains("id=" + id), r.out());
        assertTrue(r.out().contains("https://mta-sts.example.com/v1/tlsrpt takes TLS connections on a valid certificate"),
                r.out());
        assertTrue(r.out().contains("smtp mail.example.com") && r.out().contains("STARTTLS, TLSv1.3"), r.out());
        Cli json = check("--json");
        assertTrue(json.out().startsWith("[{\"domain\":\"example.com\",\"status\":\"ok\",\"findings\":["), json.out());
    }

    /**
     * RFC 8461 §8.2: a domain that delegates _mta-sts, its policy host and _smtp._tls by CNAME (as a domain added with
     * --delegated does) is checked through the CNAMEs, and check says where they lead.
     */
    @Test
    void aDelegatedDomainIsFollowedThroughItsCnamesAndSaidToBeOne() {
        String zone = "mta-sts.provider.example.";
        dns.remove("_mta-sts.example.com", "TXT").remove("mta-sts.example.com", "A").remove("_smtp._tls.example.com", "TXT")
                .add("_mta-sts.example.com. 300 IN CNAME _mta-sts.example.com." + zone)
                .add("_mta-sts.example.com." + zone + " 300 IN TXT \"v=STSv1; id=" + id + "\"")
                .add("mta-sts.example.com. 300 IN CNAME example.com." + zone)
                .add("example.com." + zone + " 300 IN A 127.0.0.1")
                .add("_smtp._tls.example.com. 300 IN CNAME _smtp._tls.example.com." + zone)
                .add("_smtp._tls.example.com." + zone + " 300 IN TXT \"v=TLSRPTv1; rua=https://mta-sts.example.com/v1/tlsrpt\"");
        try {
            Cli r = check();
            System.out.println("check of a delegated domain:\n" + r.out());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().startsWith("example.com: all checks ok"), r.out());
            assertTrue(r.out().contains("delegated by CNAME (RFC 8461 §8.2): _mta-sts.example.com -> _mta-sts.example.com."
                    + "mta-sts.provider.example, mta-sts.example.com -> example.com.mta-sts.provider.example, "
                    + "_smtp._tls.example.com -> _smtp._tls.example.com.mta-sts.provider.example"), r.out());
            assertTrue(r.out().contains("id=" + id + "\" (via CNAME _mta-sts.example.com -> "), r.out());

            // the CNAME of _mta-sts removed at the domain's DNS host: senders see no policy, and check says so
            dns.remove("_mta-sts.example.com", "CNAME");
            Cli gone = check();
            assertEquals(1, gone.exit(), gone.out());
            assertTrue(gone.out().contains("senders see no MTA-STS policy"), gone.out());
        } finally {
            dns.remove("_mta-sts.example.com", "CNAME").remove("mta-sts.example.com", "CNAME")
                    .remove("_smtp._tls.example.com", "CNAME")
                    .add("_mta-sts.example.com. 300 IN TXT \"v=STSv1; id=" + id + "\"")
                    .add("_smtp._tls.example.com. 300 IN TXT \"v=TLSRPTv1; rua=https://mta-sts.example.com/v1/tlsrpt\"")
                    .add("mta-sts.example.com. 300 IN A 127.0.0.1");
        }
    }

    @Test
    void mxDriftUnderEnforceIsTheFirstThingSaid() {
        dns.add("example.com. 300 IN MX 30 new-mx.example.org.").add("new-mx.example.org. 300 IN A 127.0.0.1");
        try {
            Cli r = check();
            assertEquals(1, r.exit(), r.out());
            String first = r.out().lines().skip(1).findFirst().orElse("");
            assertTrue(first.contains("error") && first.contains("mx coverage")
                    && first.contains("MX new-mx.example.org matches no pattern of the enforce policy"), r.out());
        } finally {
            dns.remove("example.com", "MX").add("example.com. 300 IN MX 10 mail.example.com.")
                    .add("example.com. 300 IN MX 20 mx1.mx.example.net.");
        }
    }

    @Test
    void aDnsServerThatDoesNotAnswerIsCouldNotCheck() throws Exception {
        int port;
        try (var s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli r = Cli.run("check", "example.com", "--dns-server", "127.0.0.1:" + port, "--timeout", "1");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("could not check"), r.out());
        // nothing listens there: said as such, not as a timeout
        assertTrue(r.out().contains("no answer for example.com MX (connection refused: no DNS server at 127.0.0.1:"
                + port + ")"), r.out());
    }
}
