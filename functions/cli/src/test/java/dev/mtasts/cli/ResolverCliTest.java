package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.resolver.ResolverCommand;
import dev.mtasts.sender.DnsServer;
import dev.mtasts.sender.PolicyServer;
import dev.mtasts.sender.TestCa;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code mta-sts resolver} asked by Debian's real {@code postmap}, as Postfix's SMTP client asks it, while it
 * discovers policies from an in-process DNS server and an HTTPS host (test CA) in front of the real local stack.
 */
class ResolverCliTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Short, so that rechecks can be seen within a test; the default is 60 s. */
    static final long GRACE_SECONDS = 3;

    @TempDir
    static Path dir;

    static ServeCommand serve;
    static CompletableFuture<Integer> serveExit;
    static DnsServer dns;
    static TestCa ca;
    static PolicyServer https;
    static Path caFile;
    static Path postfix;
    static Running resolver;
    /** Policy hosts that answer 503, as a broken one does. */
    static final Set<String> failing = ConcurrentHashMap.newKeySet();
    /** Policy fetches per policy host. */
    static final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();

    static final String DOMAINS = """
            [{"domain": "enforce.example", "mode": "enforce", "mx": ["mail.enforce.example", "*.mx.enforce.example"], "max_age": 604800},
             {"domain": "testing.example", "mode": "testing", "mx": ["mx.testing.example"], "max_age": 86400},
             {"domain": "retired.example", "mode": "none", "mx": [], "max_age": 86400},
             {"domain": "drift.example", "mode": "enforce", "mx": ["mail.drift.example"], "max_age": 604800},
             {"domain": "broken.example", "mode": "enforce", "mx": ["mx.broken.example"], "max_age": 604800},
             {"domain": "down.example", "mode": "enforce", "mx": ["mx.down.example"], "max_age": 604800},
             {"domain": "same.example", "mode": "enforce", "mx": ["mx.same.example"], "max_age": 604800},
             {"domain": "changing.example", "mode": "enforce", "mx": ["mx1.changing.example"], "max_age": 604800},
             {"domain": "flaky.example", "mode": "enforce", "mx": ["mx.flaky.example"], "max_age": 604800},
             {"domain": "restart.example", "mode": "enforce", "mx": ["mx.restart.example"], "max_age": 604800},
             {"domain": "soon.example", "mode": "enforce", "mx": ["mx.soon.example"], "max_age": 8},
             {"domain": "dane.example", "mode": "enforce", "mx": ["mx.dane.example"], "max_age": 604800},
             {"domain": "halfdane.example", "mode": "enforce", "mx": ["*.halfdane.example"], "max_age": 604800},
             {"domain": "bogusdane.example", "mode": "enforce", "mx": ["mx.bogusdane.example"], "max_age": 604800},
             {"domain": "unsigned.example", "mode": "enforce", "mx": ["mx.unsigned.example"], "max_age": 604800},
             {"domain": "reload.example", "mode": "testing", "mx": ["mx.reload.example"], "max_age": 604800}]""";

    /** A SHA-256 digest in a TLSA record (RFC 7672 §3.1: DANE-EE, SubjectPublicKeyInfo). */
    static final String TLSA = "3 1 1 " + "0123456789abcdef".repeat(4);

    @BeforeAll
    static void start() throws Exception {
        Path domains = Files.writeString(dir.resolve("domains.json"), DOMAINS);
        StringWriter console = new StringWriter();
        serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        cl.setOut(new PrintWriter(console, true));
        serveExit = CompletableFuture.supplyAsync(() -> cl.execute("--port", "0", "--dynamodb-port", "0", "--local-only",
                "--domains", domains.toString(), "--data-dir", dir.resolve("raw").toString()));
        assertTrue(serve.started.await(60, TimeUnit.SECONDS), console.toString());
        ca = new TestCa();
        https = new PolicyServer(ca);
        dns = new DnsServer();
        List<String> names = new ArrayList<>();
        for (String line : DOMAINS.split("\n")) {
            names.add(line.replaceAll(".*\"domain\": \"([^\"]+)\".*", "$1"));
        }
        TestCa.Issued cert = ca.issue(names.stream().map(d -> "mta-sts." + d).toArray(String[]::new));
        for (String d : names) {
            String host = "mta-sts." + d;
            ca.serve(host, cert);
            // TLS here, the request passed on to the local stack with its Host, as API Gateway's custom domain does
            https.answer(host, path -> {
                fetches.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
                if (failing.contains(host)) {
                    return new PolicyServer.Answer(503, Map.of("Content-Type", "text/plain"), "unavailable\n".getBytes());
                }
                try {
                    HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort
                            + path)).header("Host", host).build(), HttpResponse.BodyHandlers.ofByteArray());
                    return new PolicyServer.Answer(r.statusCode(), Map.of("Content-Type",
                            r.headers().firstValue("Content-Type").orElse("")), r.body());
                } catch (Exception e) {
                    return new PolicyServer.Answer(502, Map.of(), new byte[0]);
                }
            });
            dns.add("_mta-sts." + d + ". 300 IN TXT \"v=STSv1; id=" + id(d) + "\"").add(host + ". 300 IN A 127.0.0.1");
        }
        caFile = ca.pem(dir.resolve("ca.pem"));
        failing.add("mta-sts.broken.example");
        failing.add("mta-sts.down.example");
        dns.add("enforce.example. 300 IN MX 10 mail.enforce.example.")
                .add("enforce.example. 300 IN MX 20 b.mx.enforce.example.")
                .add("enforce.example. 300 IN MX 20 a.mx.enforce.example.")
                .add("enforce.example. 300 IN MX 30 deep.x.mx.enforce.example.")
                .add("enforce.example. 300 IN MX 40 mx.elsewhere.example.")
                .add("testing.example. 300 IN MX 10 mx.testing.example.")
                .add("drift.example. 300 IN MX 10 mail.other.example.")
                .add("changing.example. 300 IN MX 10 mx1.changing.example.")
                .add("changing.example. 300 IN MX 20 mx2.changing.example.");
        for (String d : List.of("broken", "down", "same", "flaky", "restart", "soon", "dane", "bogusdane", "unsigned",
                "reload")) {
            dns.add(d + ".example. 300 IN MX 10 mx." + d + ".example.");
        }
        // the DNS server plays the host's validating resolver: dane.example, halfdane.example and bogusdane.example are
        // signed; bogusdane.example's TLSA answer is bogus, which a validating resolver answers with SERVFAIL
        dns.add("_25._tcp.mx.dane.example. 300 IN TLSA " + TLSA)
                .add("halfdane.example. 300 IN MX 10 a.halfdane.example.")
                .add("halfdane.example. 300 IN MX 20 b.halfdane.example.")
                .add("_25._tcp.a.halfdane.example. 300 IN TLSA " + TLSA)
                .add("_25._tcp.mx.unsigned.example. 300 IN TLSA " + TLSA)
                .failing("_25._tcp.mx.bogusdane.example")
                .signed("dane.example").signed("halfdane.example").signed("bogusdane.example");
        postfix = Postmap.configDir(dir);
        // the Postfix that asks looks DNSSEC up, as it must to act on a dane-only answer (postmap does not mind)
        Files.writeString(postfix.resolve("main.cf"), "smtp_dns_support_level = dnssec\n");
        resolver = Running.start(config("main", "cache:\n  options:\n    filename: " + dir.resolve("main-cache.jsonl")));
    }

    @AfterAll
    static void stop() throws Exception {
        resolver.close();
        serve.stop();
        serveExit.get(30, TimeUnit.SECONDS);
        dns.close();
        https.close();
    }

    /** The id the local stack announces for a domain's current row. */
    static String id(String domain) {
        Cli records = Cli.run("records", domain, "--endpoint-url", "http://127.0.0.1:" + serve.dynamoPort);
        assertEquals(0, records.exit(), records.err());
        return records.out().replaceAll("(?s).*id=(\\w+).*", "$1");
    }

    /**
     * The first fetch in this JVM starts everything at once (TLS, the local stack's first request, DynamoDB Local): on a
     * busy machine that can take longer than the 4 s default, which would make it a failed fetch.
     */
    static final int TIMEOUT_SECONDS = 15;

    static Path config(String name, String more) throws Exception {
        return Files.writeString(dir.resolve(name + ".yml"), "cache_grace: " + GRACE_SECONDS + "\n"
                + "default_zone:\n  timeout: " + TIMEOUT_SECONDS + "\n"
                + "zones:\n  strict:\n    strict_testing: true\n  nodane:\n    dane: false\n  reports:\n    tlsrpt: true\n"
                + more + "\n");
    }

    /** A resolver running in this JVM, its log kept. */
    record Running(ResolverCommand command, CompletableFuture<Integer> exit, StringWriter output, int port) implements AutoCloseable {
        static Running start(Path config, String... listen) throws Exception {
            return start(config, postfix, listen);
        }

        /** With {@code postfixConfig} as the configuration directory of the Postfix that asks. */
        static Running start(Path config, Path postfixConfig, String... listen) throws Exception {
            ResolverCommand command = new ResolverCommand();
            CommandLine cl = new CommandLine(command);
            StringWriter log = new StringWriter();
            cl.setErr(new PrintWriter(log, true));
            List<String> args = new ArrayList<>(List.of("--config", config.toString(), "--dns-server", dns.address(),
                    "--ca-file", caFile.toString(), "--https-port", Integer.toString(https.port()), "--verbosity", "debug",
                    "--listen", listen.length > 0 ? listen[0] : "127.0.0.1:0", "--postfix-config", postfixConfig.toString()));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(args.toArray(String[]::new)));
            for (int i = 0; i < 600 && !command.started.await(100, TimeUnit.MILLISECONDS); i++) {
                if (exit.isDone()) {
                    throw new AssertionError("the resolver exited with " + exit.get() + ":\n" + log);
                }
            }
            return new Running(command, exit, log, command.bound.port());
        }

        Postmap query(String name, String key) {
            return Postmap.query(postfix, port, name, key);
        }

        String log() {
            return output.toString();
        }

        @Override
        public void close() throws Exception {
            command.stop();
            assertEquals(0, exit.get(60, TimeUnit.SECONDS), log());
        }
    }

    static int fetched(String domain) {
        AtomicInteger n = fetches.get("mta-sts." + domain);
        return n == null ? 0 : n.get();
    }

    static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what + "\n" + resolver.log());
            }
            Thread.sleep(100);
        }
    }

    static void pastGrace() throws InterruptedException {
        Thread.sleep(GRACE_SECONDS * 1000 + 300);
    }

    /**
     * What Postfix is told for each kind of domain, and the reason the log gives. An enforce policy's patterns become
     * the exact MX host names they match (§4.1: "*." is one label), in MX order; postmap prints an OK reply without
     * its "OK ", exits 1 for NOTFOUND, and warns about a TEMP reply.
     */
    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            postfix | enforce.example   | 0 | secure match=mail.enforce.example:a.mx.enforce.example:b.mx.enforce.example servername=hostname | deep.x.mx.enforce.example, mx.elsewhere.example matches no pattern
            postfix | ENFORCE.Example.  | 0 | secure match=mail.enforce.example:a.mx.enforce.example:b.mx.enforce.example servername=hostname | enforce policy
            postfix | enforce.example:2525 | 0 | secure match=mail.enforce.example:a.mx.enforce.example:b.mx.enforce.example servername=hostname | enforce policy
            postfix | testing.example   | 1 | "" | testing asks senders to deliver whatever TLS finds (strict_testing is off for default_zone)
            strict  | testing.example   | 0 | secure match=mx.testing.example servername=hostname | testing, answered as enforce: strict_testing is on for strict
            postfix | retired.example   | 1 | "" | mode none asks for nothing
            postfix | nopolicy.example  | 1 | "" | no MTA-STS policy: no TXT record at _mta-sts.nopolicy.example begins with v=STSv1
            postfix | broken.example    | 1 | "" | failed: HTTP 503
            postfix | drift.example     | 1 | "" | no MX host of drift.example (mail.other.example) matches the policy's mx [mail.drift.example]
            postfix | [192.0.2.1]:25    | 1 | "" | is a host given in brackets (no MX lookup)
            postfix | .enforce.example  | 1 | "" | is a parent-domain lookup: a policy applies to its own domain only (RFC 8461 §3.4)
            postfix | 192.0.2.1         | 1 | "" | is an IP address, not a mail domain
            """)
    void answers(String map, String key, int exit, String out, String reason) throws Exception {
        Postmap r = resolver.query(map, key);
        assertEquals(exit, r.exit(), r.out() + r.err());
        assertEquals(out, r.out().strip(), r.err());
        String logged = resolver.log().lines().filter(l -> l.contains(" " + map + " " + key + ": ")).reduce((a, b) -> b)
                .orElse("");
        assertTrue(logged.contains(reason), "log line for " + key + ": " + logged);
        if (key.equals("drift.example")) {
            assertTrue(r.err().contains("socketmap server temporary error: MTA-STS enforce policy"), r.err());
        } else {
            assertEquals("", r.err());
        }
    }

    /** Postfix keeps its connection and sends one request after the other: postmap -q - does the same. */
    @Test
    void severalRequestsOnOneConnection() {
        Postmap r = Postmap.queryAll(postfix, resolver.port(), "postfix",
                List.of("enforce.example", "nopolicy.example", "strict.invalid", "enforce.example"));
        assertEquals(0, r.exit(), r.err());
        String answer = "secure match=mail.enforce.example:a.mx.enforce.example:b.mx.enforce.example servername=hostname";
        assertEquals("enforce.example\t" + answer + "\nenforce.example\t" + answer + "\n", r.out());
    }

    /** RFC 8461 §3.1: a recheck that finds the same id fetches nothing; the answer comes from the cache meanwhile. */
    @Test
    void theSameIdIsNotFetchedAgain() throws Exception {
        assertEquals("secure match=mx.same.example servername=hostname", resolver.query("postfix", "same.example").out().strip(),
                resolver.log());
        assertEquals(1, fetched("same.example"));
        assertTrue(resolver.log().lines().anyMatch(l -> l.matches(".*same\\.example: fetched policy " + id("same.example")
                + " in \\d+ ms \\(DNS \\d+, connect \\d+, TLS \\d+, answer \\d+\\): mode enforce.*")), resolver.log());
        pastGrace();
        assertEquals("secure match=mx.same.example servername=hostname", resolver.query("postfix", "same.example").out().strip());
        await(() -> resolver.log().contains("same.example: id " + id("same.example") + " unchanged, policy not fetched"),
                Duration.ofSeconds(10), "the recheck of same.example");
        assertEquals(1, fetched("same.example"));
    }

    /** A new id is a new policy (§3.1): fetched in the background, answered once it is in. */
    @Test
    void aNewIdBringsTheNewPolicy() throws Exception {
        String before = id("changing.example");
        assertEquals("secure match=mx1.changing.example servername=hostname",
                resolver.query("postfix", "changing.example").out().strip());
        Cli put = Cli.run("domain", "put", "changing.example", "--mode", "enforce", "--mx",
                "mx1.changing.example,mx2.changing.example", "--max-age", "604800",
                "--endpoint-url", "http://127.0.0.1:" + serve.dynamoPort);
        assertEquals(0, put.exit(), put.out() + put.err());
        String after = id("changing.example");
        dns.remove("_mta-sts.changing.example", "TXT").add("_mta-sts.changing.example. 300 IN TXT \"v=STSv1; id=" + after + "\"");
        pastGrace();
        // this lookup is answered from the cache and starts the recheck
        assertEquals("secure match=mx1.changing.example servername=hostname",
                resolver.query("postfix", "changing.example").out().strip());
        await(() -> resolver.query("postfix", "changing.example").out().strip()
                .equals("secure match=mx1.changing.example:mx2.changing.example servername=hostname"),
                Duration.ofSeconds(20), "the new policy of changing.example");
        assertEquals(2, fetched("changing.example"));
        assertTrue(resolver.log().contains("changing.example: fetched policy " + after + " (the id changed from " + before
                + ")"), resolver.log());
    }

    /** §5.1: when a fetch fails, a valid cached policy still applies; the failure is not retried before the grace. */
    @Test
    void aFailedFetchKeepsTheCachedPolicy() throws Exception {
        String answer = "secure match=mx.flaky.example servername=hostname";
        assertEquals(answer, resolver.query("postfix", "flaky.example").out().strip());
        failing.add("mta-sts.flaky.example");
        dns.remove("_mta-sts.flaky.example", "TXT").add("_mta-sts.flaky.example. 300 IN TXT \"v=STSv1; id=flaky2\"");
        pastGrace();
        assertEquals(answer, resolver.query("postfix", "flaky.example").out().strip());
        await(() -> resolver.log().contains("flaky.example: fetching policy flaky2 (the id changed from "),
                Duration.ofSeconds(10), "the failed refetch of flaky.example");
        Postmap again = resolver.query("postfix", "flaky.example");
        assertEquals(answer, again.out().strip());
        assertEquals(2, fetched("flaky.example"));
        String logged = resolver.log().lines().filter(l -> l.contains(" postfix flaky.example: OK")).reduce((a, b) -> b)
                .orElse("");
        assertTrue(logged.contains("the last refresh failed (fetching policy flaky2"), logged);
    }

    /** With nothing cached a failed fetch means no policy; it is remembered briefly, not fetched per message. */
    @Test
    void aFailedFetchWithNothingCachedIsNoPolicyForAWhile() throws Exception {
        assertEquals(1, resolver.query("postfix", "down.example").exit());
        assertEquals(1, resolver.query("postfix", "down.example").exit());
        assertEquals(1, fetched("down.example"));
        assertTrue(resolver.log().contains("down.example: fetching policy " + id("down.example")
                + " failed: HTTP 503"), resolver.log());
        pastGrace();
        assertEquals(1, resolver.query("postfix", "down.example").exit());
        assertEquals(2, fetched("down.example"));
    }

    /**
     * A policy in use is fetched again three quarters into its max_age, in the background, so a lookup after the
     * first fetch's expiry finds a valid policy and waits for nothing.
     */
    @Test
    void aPolicyInUseIsRefreshedBeforeItExpires() throws Exception {
        String answer = "secure match=mx.soon.example servername=hostname";
        long t0 = System.nanoTime();
        assertEquals(answer, resolver.query("postfix", "soon.example").out().strip());
        assertEquals(answer, resolver.query("postfix", "soon.example").out().strip()); // in use since the fetch
        await(() -> fetched("soon.example") == 2, Duration.ofSeconds(8), "the refresh of soon.example before max_age 8");
        Thread.sleep(Math.max(0, 8_500 - (System.nanoTime() - t0) / 1_000_000));
        long t1 = System.nanoTime();
        assertEquals(answer, resolver.query("postfix", "soon.example").out().strip());
        assertTrue(resolver.log().contains("soon.example: fetched policy " + id("soon.example")
                + " (again, before it expires)"), resolver.log());
        System.out.println("lookup of soon.example after its first fetch expired: "
                + (System.nanoTime() - t1) / 1_000_000 + " ms (postmap included)");
    }

    /** The cache file keeps policies across a restart (§5.1): the second resolver answers with the policy host down. */
    @Test
    void aRestartKeepsTheCache() throws Exception {
        Path cache = dir.resolve("restart-cache.jsonl");
        Path config = config("restart", "cache:\n  options:\n    filename: " + cache);
        String answer = "secure match=mx.restart.example servername=hostname";
        try (Running first = Running.start(config)) {
            assertEquals(answer, first.query("postfix", "restart.example").out().strip());
        }
        assertEquals(1, fetched("restart.example"));
        assertTrue(Files.readString(cache).contains("\"domain\":\"restart.example\""), Files.readString(cache));
        failing.add("mta-sts.restart.example");
        try (Running second = Running.start(config)) {
            assertTrue(second.log().contains("cache file " + cache + ": 1 valid policy read"), second.log());
            assertEquals(answer, second.query("postfix", "restart.example").out().strip());
            assertEquals(1, fetched("restart.example"));
        }
        // without the file the same resolver finds no policy it can use
        try (Running forgetful = Running.start(config("forgetful", "cache:\n  type: internal"))) {
            assertEquals(1, forgetful.query("postfix", "restart.example").exit());
            assertEquals(2, fetched("restart.example"));
        }
    }

    /** {@code path:} in the configuration, or --listen PATH: Postfix's socketmap:unix: table. */
    @Test
    void aUnixSocket() throws Exception {
        Path socket = dir.resolve("run").resolve("resolver.sock");
        try (Running unix = Running.start(config("unix", "cache:\n  type: internal"), socket.toString())) {
            assertTrue(unix.log().contains("smtp_tls_policy_maps = socketmap:unix:" + socket + ":postfix"), unix.log());
            Postmap r = Postmap.query(postfix, "socketmap:unix:" + socket + ":postfix", "enforce.example");
            assertEquals(0, r.exit(), r.err());
            assertEquals("secure match=mail.enforce.example:a.mx.enforce.example:b.mx.enforce.example servername=hostname",
                    r.out().strip());
        }
        assertTrue(!Files.exists(socket), "the socket is removed on exit");
    }

    /**
     * DANE before MTA-STS (RFC 8461 §2), through Postfix's postmap: where the host's validating resolver (here the
     * DNS server, answering with the AD bit for signed zones) validates the MX records and an MX host has usable TLSA
     * records, Postfix is told dane-only; a TLSA lookup that fails leaves DANE possible, so dane-only too (MTA-STS must
     * not override it); the same records without validation leave the MTA-STS answer; a zone with dane: false keeps
     * MTA-STS.
     */
    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            postfix | dane.example     | dane-only                                                  | DANE before MTA-STS (RFC 8461 §2): DNSSEC-validated MX records; usable TLSA records for mx.dane.example; the enforce policy
            postfix | halfdane.example | dane-only                                                  | usable TLSA records for a.halfdane.example; none for b.halfdane.example, where Postfix will not deliver (dane-only)
            reports | dane.example     | dane-only                                                  | DANE before MTA-STS (RFC 8461 §2)
            postfix | bogusdane.example | dane-only                                                 | DANE before MTA-STS (RFC 8461 §2): the TLSA lookup for mx.bogusdane.example failed (_25._tcp.mx.bogusdane.example TLSA: the DNS server answered SERVFAIL), so DANE may apply
            nodane  | dane.example     | secure match=mx.dane.example servername=hostname           | enforce policy
            postfix | unsigned.example | secure match=mx.unsigned.example servername=hostname       | no DANE: the MX records are not DNSSEC-validated
            """)
    void daneBeforeMtaSts(String map, String key, String out, String reason) {
        Postmap r = resolver.query(map, key);
        assertEquals(0, r.exit(), r.out() + r.err() + resolver.log());
        assertEquals(out, r.out().strip(), r.err());
        String logged = resolver.log().lines().filter(l -> l.contains(" " + map + " " + key + ": ")).reduce((a, b) -> b)
                .orElse("");
        assertTrue(logged.contains(reason), "log line for " + key + ": " + logged);
        assertTrue(resolver.log().lines().anyMatch(l -> l.contains(key + ": fetched policy ")
                && l.contains(out.startsWith("dane") ? "; DANE: " : "")), resolver.log());
    }

    /**
     * A Postfix whose SMTP client does not look DNSSEC up finds a dane-only answer invalid and defers the mail
     * ("dane-only configured with dnssec lookups disabled"): the resolver reads that Postfix's main.cf with postconf and
     * answers MTA-STS instead, saying why; once main.cf says dnssec and the resolver is reloaded, DANE comes back with
     * each domain's next check.
     */
    @Test
    void noDaneAnswerForAPostfixWithoutDnssec() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("postfix-plain"));
        Path mainCf = Files.writeString(plain.resolve("main.cf"), "smtp_dns_support_level = enabled\n");
        try (Running r = Running.start(config("plain", "cache:\n  type: internal"), plain)) {
            Postmap first = r.query("postfix", "dane.example");
            assertEquals("secure match=mx.dane.example servername=hostname", first.out().strip(), first.err() + r.log());
            assertTrue(r.log().contains(" warn  DANE answers are off: " + mainCf + ": smtp_dns_support_level = enabled,"
                    + " and Postfix defers the mail it is told dane-only for unless that is dnssec; set"
                    + " smtp_dns_support_level = dnssec there, then systemctl reload mta-sts-resolver (or set dane:"
                    + " false)\n"), r.log());

            Files.writeString(mainCf, "smtp_dns_support_level = dnssec\n");
            r.command().reload();
            assertTrue(r.log().contains("configuration reloaded from "), r.log());
            pastGrace();
            r.query("postfix", "dane.example"); // starts the domain's next check
            long deadline = System.nanoTime() + 20_000_000_000L;
            String answer;
            do {
                Thread.sleep(100);
                answer = r.query("postfix", "dane.example").out().strip();
            } while (!answer.equals("dane-only") && System.nanoTime() < deadline);
            assertEquals("dane-only", answer, r.log());
        }
    }

    /**
     * tlsrpt: true (Postfix 3.10+): the policy's details in the answer, as Postfix's TLSRPT_README names them, so that
     * Postfix reports the result to the receiving domain; an enforce policy no MX host matches becomes a failure
     * Postfix reports (and still delivers nothing) instead of a deferral nobody hears of.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            enforce.example | secure match=mail.enforce.example:a.mx.enforce.example:b.mx.enforce.example servername=hostname policy_type=sts policy_domain=enforce.example mx_host_pattern=mail.enforce.example mx_host_pattern=*.mx.enforce.example { policy_string = version: STSv1 } { policy_string = mode: enforce } { policy_string = mx: mail.enforce.example } { policy_string = mx: *.mx.enforce.example } { policy_string = max_age: 604800 }
            drift.example   | secure servername=hostname policy_type=sts policy_domain=drift.example mx_host_pattern=mail.drift.example { policy_string = version: STSv1 } { policy_string = mode: enforce } { policy_string = mx: mail.drift.example } { policy_string = max_age: 604800 } policy_failure=validation-failure
            """)
    void tlsrptAttributes(String key, String out) {
        Postmap r = resolver.query("reports", key);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(out, r.out().strip(), r.err());
        assertEquals("", r.err());
    }

    // Operations: the resolver as its systemd unit runs it, a process of its own, sent real signals.

    /** The resolver in a JVM of its own, as {@code java … dev.mtasts.resolver.Main} (what the jar runs). */
    record Daemon(Process process, Path log, int port) implements AutoCloseable {
        static Daemon start(Path config) throws Exception {
            return start(config, "--default-signal=HUP");
        }

        /** With {@code hup} the way env(1) starts it with SIGHUP: {@code --default-signal=HUP} or {@code --ignore-signal=HUP}. */
        static Daemon start(Path config, String hup) throws Exception {
            Path log = Files.createTempFile(dir, "daemon", ".log");
            // SIGHUP at its default whatever this JVM was started with (a build run under nohup ignores it, and so
            // would the resolver), as systemd starts the unit
            Process p = new ProcessBuilder("env", hup, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.mtasts.resolver.Main", "--config", config.toString(),
                    "--dns-server", dns.address(), "--ca-file", caFile.toString(), "--https-port",
                    Integer.toString(https.port()), "--listen", "127.0.0.1:0", "--postfix-config", postfix.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            java.util.regex.Pattern answering = java.util.regex.Pattern.compile("answering Postfix on 127\\.0\\.0\\.1:(\\d+)");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                java.util.regex.Matcher m = answering.matcher(Files.readString(log));
                if (m.find()) {
                    return new Daemon(p, log, Integer.parseInt(m.group(1)));
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            p.destroyForcibly();
            throw new AssertionError("the resolver did not start:\n" + Files.readString(log));
        }

        String output() throws java.io.IOException {
            return Files.readString(log);
        }

        void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
        }

        void awaitLog(String text) throws Exception {
            // a wait, not a measure: a JVM of its own starting on a machine busy with other builds may take long
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!output().contains(text)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not in the log within 60 s: " + text + "\n" + output());
                }
                Thread.sleep(50);
            }
        }

        Postmap query(String key) {
            return Postmap.query(postfix, port, "postfix", key);
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * {@code systemctl reload} (SIGHUP) reads the configuration again and keeps the cache: a testing policy cached
     * under strict_testing: false is answered as enforce once the file says true, without a new fetch; a file made
     * invalid changes nothing and says why; what only a start can change is named. SIGUSR1 writes the counters;
     * SIGTERM stops it, the cache saved.
     */
    @Test
    void signalsReloadKeepTheCacheAndCount() throws Exception {
        Path config = dir.resolve("daemon.yml");
        Files.writeString(config, "cache_grace: 60\ncache:\n  type: internal\n");
        try (Daemon d = Daemon.start(config)) {
            assertEquals(1, d.query("reload.example").exit(), d.output());
            assertEquals(1, fetched("reload.example"));

            Files.writeString(config, "cache_grace: 60\ndefault_zone:\n  strict_testing: true\ncache:\n  type: file\n"
                    + "  options:\n    filename: " + dir.resolve("daemon-cache.jsonl") + "\n");
            d.signal("HUP");
            d.awaitLog("configuration reloaded from " + config + ", the cache kept (1 domains); cache changed: in use"
                    + " from the next start");
            Postmap strict = d.query("reload.example");
            assertEquals("secure match=mx.reload.example servername=hostname", strict.out().strip(), d.output());
            assertEquals(1, fetched("reload.example"), "answered from the cache kept across the reload");

            Files.writeString(config, "default_zone:\n  strict_testin: true\n");
            d.signal("HUP");
            d.awaitLog("reload: " + config + ":2: unknown key \"strict_testin\" in default_zone (did you mean"
                    + " \"strict_testing\"?)");
            assertTrue(d.output().contains("; the configuration in use is kept"), d.output());
            assertEquals("secure match=mx.reload.example servername=hostname", d.query("reload.example").out().strip());

            d.signal("USR1");
            d.awaitLog("counters: lookups 3 (from the cache 2); answers secure 2, dane-only 0, notfound 1, temp 0,"
                    + " perm 0; policy fetches 1, failures dns 0, connect 0, tls 0, http 0, invalid 0; domains 1,"
                    + " policies cached 1");

            d.process().destroy(); // SIGTERM, as systemctl stop
            assertTrue(d.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, d.process().exitValue(), d.output());
            assertTrue(d.output().contains(" info  stopping"), d.output());
        }
    }

    /** Started with SIGHUP ignored (nohup), the JVM leaves it ignored: the start says a reload will do nothing. */
    @Test
    void aResolverStartedWithSighupIgnoredSaysSo() throws Exception {
        Path config = Files.writeString(dir.resolve("nohup.yml"), "cache:\n  type: internal\n");
        try (Daemon d = Daemon.start(config, "--ignore-signal=HUP")) {
            assertTrue(d.output().contains(" warn  SIGHUP is ignored (the resolver was started with it ignored, as nohup"
                    + " does): systemctl reload will not read the configuration again; restart the resolver instead\n"),
                    d.output());
        }
        try (Daemon d = Daemon.start(config)) {
            assertFalse(d.output().contains("SIGHUP is ignored"), d.output());
        }
    }

    /**
     * metrics: HOST:PORT serves the counters as Prometheus scrapes them; nothing else is served there. Off by default:
     * the resolvers of the other tests open no such port.
     */
    @Test
    void countersForPrometheus() throws Exception {
        assertEquals(0, resolver.command().metricsPort);
        try (Running r = Running.start(config("metrics", "metrics: 127.0.0.1:0\ncache:\n  type: internal"))) {
            assertEquals(0, r.query("postfix", "enforce.example").exit());
            assertEquals(0, r.query("postfix", "enforce.example").exit());
            assertEquals(1, r.query("postfix", "nopolicy.example").exit());
            assertEquals(1, r.query("postfix", "broken.example").exit());
            String base = "http://127.0.0.1:" + r.command().metricsPort;
            HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, m.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", m.headers().firstValue("Content-Type").orElse(""));
            String body = m.body();
            for (String line : List.of("mta_sts_resolver_lookups_total 4", "mta_sts_resolver_cache_hits_total 1",
                    "mta_sts_resolver_answers_total{answer=\"secure\"} 2",
                    "mta_sts_resolver_answers_total{answer=\"notfound\"} 2",
                    "mta_sts_resolver_policy_fetches_total 2",
                    "mta_sts_resolver_policy_failures_total{reason=\"http\"} 1",
                    "mta_sts_resolver_policy_failures_total{reason=\"tls\"} 0",
                    "mta_sts_resolver_domains 3", "mta_sts_resolver_policies 1",
                    "# TYPE mta_sts_resolver_lookups_total counter")) {
                assertTrue(body.lines().anyMatch(line::equals), line + " in\n" + body);
            }
            assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    // Any local user can connect to the resolver: none can stall Postfix's lookups or write lines into its log.

    static final String ENFORCE_ANSWER =
            "secure match=mail.enforce.example:a.mx.enforce.example:b.mx.enforce.example servername=hostname";

    /** A resolver whose connection timeouts a test can wait out. */
    static Running impatient(String name) throws Exception {
        return Running.start(config(name, "idle_timeout: 1\nrequest_timeout: 0.5\ncache:\n  type: internal"));
    }

    static java.net.Socket connect(int port) throws java.io.IOException {
        java.net.Socket s = new java.net.Socket();
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Milliseconds until the resolver closes {@code s}, which reads nothing but the end of the connection. */
    static long millisUntilClosed(java.net.Socket s, long t0) throws java.io.IOException {
        assertEquals(-1, s.getInputStream().read(), "the resolver sent something");
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * A connection without a request is closed after idle_timeout; Postfix, finding its connection closed, opens a
     * new one and asks again (dict_sockmap retries once), so a lookup after the pause is answered.
     */
    @Test
    void anIdleConnectionIsClosedAndPostfixReconnects() throws Exception {
        try (Running r = impatient("idle"); java.net.Socket idle = connect(r.port())) {
            long millis = millisUntilClosed(idle, System.nanoTime());
            assertTrue(millis >= 900 && millis < 4_000, "closed after " + millis + " ms");
            assertTrue(r.log().contains(" closed after no request for 1 s (idle_timeout;"), r.log());

            Process postmap = new ProcessBuilder(Postmap.POSTMAP.toString(), "-c", postfix.toString(), "-q", "-",
                    Postmap.table(r.port(), "postfix")).start();
            var out = CompletableFuture.supplyAsync(() -> read(postmap.getInputStream()));
            var err = CompletableFuture.supplyAsync(() -> read(postmap.getErrorStream()));
            postmap.getOutputStream().write("enforce.example\n".getBytes());
            postmap.getOutputStream().flush();
            await(() -> r.log().contains(" postfix enforce.example: OK"), Duration.ofSeconds(30), "the first lookup");
            int closedBefore = r.log().split("idle_timeout;", -1).length;
            await(() -> r.log().split("idle_timeout;", -1).length > closedBefore, Duration.ofSeconds(5),
                    "postmap's connection closed for idleness");
            postmap.getOutputStream().write("enforce.example\n".getBytes());
            postmap.getOutputStream().close();
            assertTrue(postmap.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, postmap.exitValue(), err.join());
            assertEquals("enforce.example\t" + ENFORCE_ANSWER + "\nenforce.example\t" + ENFORCE_ANSWER + "\n",
                    out.join(), err.join());
            assertEquals("", err.join());
        }
    }

    static byte[] netstring(String content) {
        byte[] data = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] head = (data.length + ":").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] frame = java.util.Arrays.copyOf(head, head.length + data.length + 1);
        System.arraycopy(data, 0, frame, head.length, data.length);
        frame[frame.length - 1] = ',';
        return frame;
    }

    static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** A request must arrive whole within request_timeout of its first byte: half a netstring holds nothing for long. */
    @Test
    void aHalfSentRequestIsClosedAfterTheRequestTimeout() throws Exception {
        try (Running r = impatient("half"); java.net.Socket half = connect(r.port())) {
            half.getOutputStream().write("24:postfix enforce.exa".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            half.getOutputStream().flush();
            long millis = millisUntilClosed(half, System.nanoTime());
            assertTrue(millis >= 400 && millis < 3_000, "closed after " + millis + " ms");
            assertTrue(r.log().contains(": its request did not arrive whole within 0.5 s (request_timeout)"), r.log());
            assertEquals(ENFORCE_ANSWER, r.query("postfix", "enforce.example").out().strip(), r.log());
        }
    }

    /**
     * 2,000 connections held open (the most the resolver keeps, as many as 20 Postfix hosts' SMTP clients would
     * open) do not keep Postfix out: the one that has waited longest for a request is closed to take the lookup.
     */
    @Test
    void atTheConnectionLimitTheLongestIdleMakesRoomForALookup() throws Exception {
        List<java.net.Socket> held = new ArrayList<>();
        try (Running r = Running.start(config("limit", "cache:\n  type: internal"))) {
            for (int i = 0; i < 2000; i++) {
                held.add(connect(r.port()));
            }
            // the last one answered: the resolver has taken every connection before it
            java.net.Socket last = held.get(held.size() - 1);
            last.getOutputStream().write(netstring("postfix [192.0.2.1]:25"));
            assertEquals("9:NOTFOUND ,", new String(last.getInputStream().readNBytes(12),
                    java.nio.charset.StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            Postmap p = r.query("postfix", "enforce.example");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, p.exit(), p.err() + r.log());
            assertEquals(ENFORCE_ANSWER, p.out().strip());
            assertTrue(r.log().contains("socketmap: 2000 connections open (the most kept): closed connection 1, waiting"
                    + " for "), r.log());
            assertEquals(-1, held.get(0).getInputStream().read(), "the longest idle connection is closed");
            System.out.println("lookup with 2,000 connections held open: " + millis + " ms (postmap included)");
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    /**
     * A key is the client's text: line breaks in it cannot start a line of the log that looks like the resolver's, and
     * terminal escapes and NULs reach the log escaped, never as themselves.
     */
    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "evil.example\\r\\n1999-01-01T00:00:00Z info  postfix bank.example: OK secure match=mx.evil.example" | evil.example\\r\\n1999-01-01T00:00:00Z info  postfix bank.example: OK secure match=mx.evil.example
            "evil.example\\n1999-01-01T00:00:00Z error stopping"             | evil.example\\n1999-01-01T00:00:00Z error stopping
            "\\u001b]0;owned\\u0007\\u001b[2Jevil.example"               | \\x1b]0;owned\\x07\\x1b[2Jevil.example
            "evil\\u0000.example"                                           | evil\\x00.example
            """)
    void aKeyCannotForgeALogLineNorReachTheTerminal(String sent, String logged) throws Exception {
        String key = sent.replace("\\r", "\r").replace("\\n", "\n").replace("\\u001b", "\u001b")
                .replace("\\u0007", "\u0007").replace("\\u0000", "\u0000");
        try (Running r = impatient("forge"); java.net.Socket s = connect(r.port())) {
            s.getOutputStream().write(netstring("postfix " + key));
            assertEquals("9:NOTFOUND ,", new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII));
            await(() -> r.log().contains(" postfix " + logged + ": NOTFOUND"), Duration.ofSeconds(5), "the lookup logged");
            String log = r.log();
            assertTrue(log.lines().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ (debug|info |warn |error) .*")),
                    "a line that is not the resolver's:\n" + log);
            assertTrue(log.lines().noneMatch(l -> l.startsWith("1999-")), "a forged line:\n" + log);
            assertTrue(log.chars().noneMatch(c -> c == 0x1b || c == 0 || c == 7 || c == '\r'), log);
        }
    }
}
