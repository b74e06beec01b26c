package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.Policy;
import dev.mtasts.local.LocalApiGateway;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mta-sts serve} on free ports, used as a mail admin uses it: curl with a Host header, then the CLI against
 * its DynamoDB Local. A row changed with {@code domain put} is served by the next request, without a restart.
 */
class LocalStackTest {
    /**
     * Report days relative to today, as senders date theirs: the page and reports show the last 30 days by default,
     * at most 400, whatever day the test runs on.
     */
    static final java.time.LocalDate DAY = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(2);
    static final String D = DAY.toString();
    static final String D1 = DAY.minusDays(1).toString();
    static final String SINCE = DAY.minusDays(20).toString();

    static final String POLICY_PATH = "/.well-known/mta-sts.txt";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    static ServeCommand serve;
    static CompletableFuture<Integer> exit;
    static StringWriter console = new StringWriter();
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        Path domains = dir.resolve("domains.json");
        Files.writeString(domains, """
                [
                  {"domain": "example.com", "mode": "enforce", "mx": ["mail.example.com"], "max_age": 604800},
                  {"domain": "example.org", "mode": "testing", "mx": ["mx.example.org"], "max_age": 86400, "note": "x"},
                  {"domain": "broken.example", "mode": "enforce", "mx": [], "max_age": 86400},
                  {"mode": "testing"}
                ]
                """);
        serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        cl.setOut(new PrintWriter(console, true));
        exit = CompletableFuture.supplyAsync(() ->
                cl.execute("--port", "0", "--dynamodb-port", "0", "--domains", domains.toString(),
                        "--data-dir", dir.resolve("raw-serve").toString(), "--local-only"));
        assertTrue(serve.started.await(60, TimeUnit.SECONDS), "serve did not start: " + console);
        endpoint = "http://127.0.0.1:" + serve.dynamoPort;
    }

    @AfterAll
    static void stop() throws Exception {
        serve.stop();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
        assertTrue(console.toString().contains("Stopping."));
    }

    static HttpResponse<String> request(String method, String host, String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (host != null) {
            b.header("Host", host);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theBannerSaysWhatWasLoadedAndHowToTryIt() {
        String out = console.toString();
        assertTrue(out.contains("HTTP API        http://127.0.0.1:" + serve.httpPort), out);
        assertTrue(out.contains("example.com  enforce, id "), out);
        assertTrue(out.contains("broken.example  INVALID, answered with 500: mode enforce needs at least one mx pattern"), out);
        assertTrue(out.contains("row 4: skipped, it has no \"domain\" string"), out);
        assertTrue(out.contains("curl -H 'Host: mta-sts.example.com' http://127.0.0.1:" + serve.httpPort + POLICY_PATH), out);
    }

    @Test
    void servesThePolicyWithTheRightHeaders() throws Exception {
        HttpResponse<String> r = request("GET", "mta-sts.example.com", POLICY_PATH);
        assertEquals(200, r.statusCode());
        assertEquals("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n", r.body());
        assertEquals("text/plain; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void headHasNoBodyButTheLengthOfTheGet() throws Exception {
        HttpResponse<String> r = request("HEAD", "mta-sts.example.org:8080", POLICY_PATH);
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        int get = request("GET", "mta-sts.example.org", POLICY_PATH).body().length();
        assertEquals(Integer.toString(get), r.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void eachStatusCode() throws Exception {
        assertEquals(404, request("GET", "mta-sts.nowhere.example", POLICY_PATH).statusCode());
        assertEquals(404, request("GET", "mta-sts.example.com", "/").statusCode());
        assertEquals(404, request("GET", null, POLICY_PATH).statusCode()); // Host: 127.0.0.1:port
        HttpResponse<String> post = request("POST", "mta-sts.example.com", POLICY_PATH);
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        HttpResponse<String> reportsGet = request("GET", "mta-sts.example.com", "/v1/tlsrpt");
        assertEquals(405, reportsGet.statusCode(), reportsGet.body());
        assertEquals("POST", reportsGet.headers().firstValue("Allow").orElseThrow());
        assertEquals(500, request("GET", "mta-sts.broken.example", POLICY_PATH).statusCode());
        assertTrue(console.toString().contains("domain broken.example: invalid row, not served"), console.toString());
    }

    @Test
    void aRowPutWithTheCliIsServedWithoutARestart() throws Exception {
        Cli put = Cli.run("domain", "put", "new.example", "--mode", "testing", "--mx", "mx1.new.example",
                "--mx", "*.backup.new.example", "--max-age", "3600", "--endpoint-url", endpoint);
        assertEquals(0, put.exit(), put.err());
        String body = "version: STSv1\r\nmode: testing\r\nmx: mx1.new.example\r\nmx: *.backup.new.example\r\n"
                + "max_age: 3600\r\n";
        assertEquals("new.example: added, testing, mx mx1.new.example *.backup.new.example, max_age 3600, id "
                + Policy.parse(body).id(), put.out().lines().findFirst().orElseThrow());
        assertTrue(put.out().contains("Follow it with: mta-sts domain get new.example --endpoint-url " + endpoint), put.out());
        assertEquals(body, request("GET", "mta-sts.new.example", POLICY_PATH).body());

        // what is served and what records announces agree
        Cli records = Cli.run("records", "new.example", "--endpoint-url", endpoint);
        assertEquals(0, records.exit(), records.err());
        assertEquals("""
                ; new.example: testing policy served at https://mta-sts.new.example/.well-known/mta-sts.txt
                _mta-sts.new.example.    IN TXT "v=STSv1; id=%s"
                _smtp._tls.new.example.  IN TXT "v=TLSRPTv1; rua=https://mta-sts.new.example/v1/tlsrpt"
                """.formatted(Policy.parse(body).id()), records.out().replace(System.lineSeparator(), "\n"));

        assertEquals(0, Cli.run("domain", "delete", "new.example", "--endpoint-url", endpoint).exit());
        assertEquals(404, request("GET", "mta-sts.new.example", POLICY_PATH).statusCode());
        assertEquals(1, Cli.run("domain", "delete", "new.example", "--endpoint-url", endpoint).exit());
    }

    @Test
    void anInvalidPutIsRefusedAndTheRowIsUntouched() throws Exception {
        String before = request("GET", "mta-sts.example.com", POLICY_PATH).body();
        Cli put = Cli.run("domain", "put", "example.com", "--mode", "enforce", "--mx", "mail*.example.com",
                "--max-age", "99999999999", "--endpoint-url", endpoint);
        assertEquals(1, put.exit());
        assertEquals("""
                mta-sts: example.com: mx[0]: "mail*.example.com" is not a valid mx pattern: '*' is allowed only as the whole left-most label ("*.example.com")
                mta-sts: example.com: max_age must be a whole number of seconds, 0 to 31557600, at most 10 digits (got "99999999999"); nothing written
                """, put.err().replace(System.lineSeparator(), "\n"));
        assertEquals(before, request("GET", "mta-sts.example.com", POLICY_PATH).body());
    }

    @Test
    void putKeepsAttributesItDoesNotOwn() {
        assertEquals(0, Cli.run("domain", "put", "example.org", "--mode", "testing", "--mx", "mx.example.org",
                "--endpoint-url", endpoint).exit());
        Cli get = Cli.run("domain", "get", "example.org", "--json", "--endpoint-url", endpoint);
        assertEquals(0, get.exit());
        assertTrue(get.out().startsWith("{\"domain\":\"example.org\",\"valid\":true,\"mode\":\"testing\""), get.out());
    }

    @Test
    void aPutWithoutMaxAgeKeepsTheRowsMaxAge() {
        assertEquals(0, Cli.run("domain", "put", "keep.example", "--mode", "testing", "--mx", "mx.keep.example",
                "--max-age", "604800", "--endpoint-url", endpoint).exit());
        Cli put = Cli.run("domain", "put", "keep.example", "--mode", "testing", "--mx", "mx.keep.example",
                "--mx", "mx2.keep.example", "--endpoint-url", endpoint);
        assertEquals(0, put.exit(), put.err());
        assertTrue(put.out().startsWith("keep.example: testing, mx mx.keep.example mx2.keep.example, max_age 604800, id "),
                put.out());
    }

    @Test
    void getAndListShowInvalidRowsWithTheirReason() {
        Cli get = Cli.run("domain", "get", "broken.example", "--endpoint-url", endpoint);
        assertEquals(1, get.exit());
        String out = get.out().replace(System.lineSeparator(), "\n");
        assertTrue(out.startsWith("broken.example: INVALID, not served\n  lifecycle: "), out);
        assertTrue(out.endsWith("\n  mode enforce needs at least one mx pattern\n"), out);
        Cli list = Cli.run("domain", "list", "--endpoint-url", endpoint);
        assertEquals(0, list.exit());
        assertTrue(list.out().contains("broken.example  INVALID: mode enforce needs at least one mx pattern"), list.out());
        assertTrue(list.out().contains("example.com     enforce, mx mail.example.com, max_age 604800, id "), list.out());
    }

    @Test
    void recordsRefusesToAnnounceAnInvalidOrMissingRow() {
        Cli broken = Cli.run("records", "broken.example", "--endpoint-url", endpoint);
        assertEquals(1, broken.exit());
        assertTrue(broken.err().contains("is invalid, so its policy must not be announced"), broken.err());
        Cli missing = Cli.run("records", "nowhere.example", "--endpoint-url", endpoint);
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("no row for nowhere.example"), missing.err());
        Cli badRua = Cli.run("records", "example.com", "--rua", "tlsrpt@example.com", "--endpoint-url", endpoint);
        assertEquals(1, badRua.exit());
        assertEquals("mta-sts: rua \"tlsrpt@example.com\" must be a mailto: or https: URI", badRua.err().strip());
    }

    @Test
    void recordsWithMailboxes() {
        Cli r = Cli.run("records", "example.com", "--rua", "https://mta-sts.example.com/v1/tlsrpt",
                "--rua", "mailto:tlsrpt@example.com", "--endpoint-url", endpoint);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"v=TLSRPTv1; rua=https://mta-sts.example.com/v1/tlsrpt,mailto:tlsrpt@example.com\""),
                r.out());
    }

    static final String REPORT = "{\"organization-name\":\"Google Inc.\",\"date-range\":{\"start-datetime\":"
            + "\"" + D + "T00:00:00Z\",\"end-datetime\":\"" + D + "T23:59:59Z\"},\"report-id\":\"serve-1\","
            + "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},"
            + "\"summary\":{\"total-successful-session-count\":120,\"total-failure-session-count\":4},"
            + "\"failure-details\":[{\"result-type\":\"certificate-expired\",\"failed-session-count\":4}]}]}";

    @Test
    void aReportPostedTwiceIsCountedOnce() throws Exception {
        for (int expected : new int[] {201, 200}) {
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort + "/v1/tlsrpt"))
                    .header("Host", "mta-sts.example.com").header("Content-Type", "application/tlsrpt+json")
                    .POST(HttpRequest.BodyPublishers.ofString(REPORT)).build();
            assertEquals(expected, HTTP.send(post, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        Cli reports = Cli.run("reports", "--domain", "example.com", "--json", "--endpoint-url", endpoint);
        assertEquals(0, reports.exit(), reports.err());
        assertEquals("[{\"domain\":\"example.com\",\"date\":\"" + D + "\",\"successful\":120,\"failed\":4,"
                + "\"failures\":{\"certificate-expired\":4},\"reporters\":[\"Google Inc.\"],\"other_reporters\":0}]",
                reports.out().strip());
    }

    @Test
    void reportIngestTakesTheSamePathAsTheFunction() throws Exception {
        Path good = dir.resolve("yahoo!example.org!1795392000!1795478399.json");
        Files.writeString(good, REPORT.replace("serve-1", "ingest-1").replace("Google Inc.", "Yahoo")
                .replace(",\"policy-domain\":\"example.com\"", ""));
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"policies\": 1}");
        Cli r = Cli.run("report", "ingest", good.toString(), good.toString(), bad.toString(),
                "--endpoint-url", endpoint, "--data-dir", dir.resolve("raw").toString());
        assertEquals(1, r.exit());
        assertEquals(List.of(
                "[1/3] " + good + ": stored (example.org)",
                "[2/3] " + good + ": already stored, counted once (example.org)",
                "[3/3] " + bad + ": rejected: policies: expected an array, got a number"), r.out().lines().toList());
        Cli reports = Cli.run("reports", "--domain", "example.org", "--endpoint-url", endpoint);
        assertTrue(reports.out().contains("example.org  " + D + "         120         4  certificate-expired 4 / Yahoo"),
                reports.out());
    }

    /**
     * The reports page: at / on any Host that is not a policy host, read from the tables on each load, as a browser
     * renders it; and written to a file by {@code reports --html}. Policy hosts answer / as before (404).
     */
    @Test
    void theReportsPageLiveAndAsAFile() throws Exception {
        String report = REPORT.replace("serve-1", "page-1").replace(D, D1)
                .replace("example.com", "example.org").replace("Google Inc.", "Example Search Inc.");
        assertEquals(201, HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort + "/v1/tlsrpt"))
                .header("Host", "mta-sts.example.org").header("Content-Type", "application/tlsrpt+json")
                .POST(HttpRequest.BodyPublishers.ofString(report)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertTrue(console.toString().contains("Reports page    http://127.0.0.1:" + serve.httpPort + "/  "), console.toString());

        HttpResponse<String> page = request("GET", null, "/?since=" + SINCE);
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        for (String d : List.of("example.com", "example.org", "broken.example")) {
            // a domain without reports in the window is a brief card (whether this class's other tests posted one
            // for example.com before depends on the order JUnit runs them in)
            assertTrue(page.body().matches("(?s).*<section class=\"card domain( brief)?\" id=\"d-" + d.replace(".", "\\.")
                    + "\">.*"), d);
        }
        assertTrue(page.body().contains("not a valid policy: mode enforce needs at least one mx pattern"), page.body());
        assertTrue(page.body().contains("certificate-expired 4"), "the report just posted");
        assertEquals(404, request("GET", "mta-sts.example.com", "/").statusCode());
        assertEquals(400, request("GET", null, "/?since=soon").statusCode());

        dev.mtasts.pages.Chromium.Run live = dev.mtasts.pages.Chromium.dumpDom(
                "http://127.0.0.1:" + serve.httpPort + "/?since=" + SINCE + "&domain=example.org");
        dev.mtasts.pages.Chromium.assertQuiet(live);
        assertTrue(live.out().contains("<rect class=\"bar\" data-series=\"certificate-expired\" data-day=\"" + D1 + "\""),
                live.out());

        Path file = dir.resolve("reports.html");
        Cli r = Cli.run("reports", "--html", file.toString(), "--since", SINCE, "--domain", "example.org",
                "--endpoint-url", endpoint);
        assertEquals(0, r.exit(), r.err());
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertTrue(r.out().startsWith(file + ": 1 domain, " + SINCE + " to " + today + ", "), r.out());
        assertTrue(Files.readString(file).startsWith("<!DOCTYPE html>"));
        Cli stdout = Cli.run("reports", "--html", "-", "--domain", "example.org", "--since", SINCE,
                "--endpoint-url", endpoint);
        assertTrue(stdout.out().startsWith("<!DOCTYPE html>") && stdout.out().contains("id=\"d-example.org\""));
        Cli text = Cli.run("reports", "--domain", "example.org", "--domain", "example.com", "--since", D1,
                "--endpoint-url", endpoint);
        assertEquals(0, text.exit(), text.err());
        assertEquals(1, text.out().lines().filter(l -> l.startsWith("domain ")).count(), text.out());
        assertTrue(text.out().contains("example.org  " + D1 + "         120         4  certificate-expired 4 / "
                + "Example Search Inc."), text.out());
        Cli both = Cli.run("reports", "--html", "-", "--json", "--endpoint-url", endpoint);
        assertEquals(2, both.exit());
        assertEquals("mta-sts: --html and --json: choose one", both.err().lines().findFirst().orElseThrow());
        Cli nowhere = Cli.run("reports", "--html", dir.resolve("no/such/dir/x.html").toString(), "--endpoint-url", endpoint);
        assertEquals(2, nowhere.exit());
        assertEquals("mta-sts: " + dir.resolve("no/such/dir/x.html") + ": no such directory", nowhere.err().strip());
    }

    static HttpResponse<String> postReport(String contentType, byte[] body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort + "/v1/tlsrpt"))
                .header("Host", "mta-sts.example.com").header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * An HTTP API hands a function text only for text/*, application/json, xml and javascript: a gzip'd report
     * labelled application/tlsrpt+json arrives as its bytes (base64), and is read as the gzip it is.
     */
    @Test
    void aGzipBodyLabelledJsonIsReadByItsBytes() throws Exception {
        byte[] gzip = gzip(REPORT.replace("serve-1", "mislabelled-1").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> r = postReport("application/tlsrpt+json", gzip);
        assertEquals(201, r.statusCode(), r.body());
        try (var files = Files.walk(dir.resolve("raw-serve"))) {
            String identity = new dev.mtasts.core.report.ReportReader(dev.mtasts.core.report.Limits.DEFAULT)
                    .read(new java.io.ByteArrayInputStream(gzip), null).report().identity();
            assertTrue(files.anyMatch(f -> f.getFileName().toString().equals(identity + ".json.gz")));
        }
    }

    static byte[] gzip(byte[] data) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** What the gateway answers to a request on a raw connection, within {@code seconds}. */
    static String rawRequest(String head, int seconds) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", serve.httpPort)) {
            s.setSoTimeout(seconds * 1000);
            s.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** A body over the HTTP API's 10 MB is refused from its Content-Length, before any of it is read or held. */
    @Test
    void aBodyOverTenMegabytesIs413BeforeItIsRead() throws Exception {
        long t0 = System.nanoTime();
        assertEquals("HTTP/1.1 413", rawRequest("POST /v1/tlsrpt HTTP/1.1\r\nHost: mta-sts.example.com\r\n"
                + "Content-Type: application/tlsrpt+gzip\r\nContent-Length: 52428800\r\n\r\n", 3));
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L);
        // chunked, so no length to go by: refused once 10 MB have come
        HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort
                        + "/v1/tlsrpt")).header("Host", "mta-sts.example.com").header("Content-Type", "application/tlsrpt+gzip")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.InputStream() {
                    long left = 11L << 20;

                    @Override
                    public int read() {
                        return left-- > 0 ? 'x' : -1;
                    }
                })).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, chunked.statusCode());
    }

    /** Clients that send their headers and then stall are cut off, and do not keep others from being answered. */
    @Test
    void stalledUploadsDoNotHoldEveryWorker() throws Exception {
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", serve.httpPort);
                s.getOutputStream().write(("POST /v1/tlsrpt HTTP/1.1\r\nHost: mta-sts.example.com\r\n"
                        + "Content-Type: application/tlsrpt+json\r\nContent-Length: 1000\r\n\r\n{")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stalled.add(s);
            }
            Thread.sleep(500); // every worker is now waiting on a body
            long t0 = System.nanoTime();
            CompletableFuture<HttpResponse<String>> get = CompletableFuture.supplyAsync(() -> {
                try {
                    return request("GET", "mta-sts.example.com", POLICY_PATH);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(200, get.get(20, TimeUnit.SECONDS).statusCode());
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            assertTrue(seconds <= LocalApiGateway.REQUEST_TIMEOUT.toSeconds() + 3, "answered after " + seconds + " s");
        } finally {
            for (java.net.Socket s : stalled) {
                s.close();
            }
        }
    }

    /**
     * A POST dated 9999-12-30 made every later page of the reports run out of memory, and so did
     * {@code ?since=0001-01-01}. The report is refused naming the field; a window is at most 400 days back, and the
     * page and the command refuse one further back in one line.
     */
    @Test
    void noDateBreaksThePage() throws Exception {
        String future = REPORT.replace("serve-1", "future-1").replace(D + "T00:00:00Z", "9999-12-30T00:00:00Z")
                .replace(D + "T23:59:59Z", "9999-12-30T23:59:59Z");
        HttpResponse<String> post = postReport("application/tlsrpt+json", future.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(400, post.statusCode());
        assertEquals("Bad report: date-range.start-datetime: 9999-12-30T00:00:00Z is in the future\n", post.body());
        long t0 = System.nanoTime();
        assertEquals(200, request("GET", null, "/").statusCode());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the page in under 5 s");

        String earliest = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(399).toString();
        HttpResponse<String> old = request("GET", null, "/?since=0001-01-01");
        assertEquals(400, old.statusCode());
        assertEquals("since 0001-01-01 is more than 400 days back (the tables keep reports 400 days); the earliest is "
                + earliest + "\n", old.body());
        assertEquals(200, request("GET", null, "/?since=" + earliest).statusCode());
        for (String[] args : List.of(new String[] {"reports"}, new String[] {"reports", "--html", "-"},
                new String[] {"reports", "--json"})) {
            List<String> all = new java.util.ArrayList<>(List.of(args));
            all.addAll(List.of("--since", "0001-01-01", "--endpoint-url", endpoint));
            Cli r = Cli.run(all.toArray(String[]::new));
            assertEquals(1, r.exit(), String.join(" ", args));
            assertEquals("mta-sts: --since 0001-01-01 is more than 400 days back (the tables keep reports 400 days); "
                    + "the earliest is " + earliest, r.err().strip());
        }
    }

    /** Stored counts beyond a long, or of the wrong type, are shown as best they can be; the command never fails. */
    @Test
    void reportsReadsAnyStoredDay() {
        var client = dev.mtasts.store.Dynamo.create(URI.create(endpoint), null);
        client.putItem(r -> r.tableName(dev.mtasts.store.ReportStore.DEFAULT_TABLE).item(dev.mtasts.store.Items.toItem(
                java.util.Map.of("pk", "domain#huge.example", "sk", "day#" + SINCE + "", "domain", "huge.example",
                        "date", SINCE, "successful", new java.math.BigDecimal("18446744073709551614"),
                        "failed", "x"))));
        Cli r = Cli.run("reports", "--domain", "huge.example", "--endpoint-url", endpoint);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("huge.example  " + SINCE + "  9,223,372,036,854,775,807         0"), r.out());
    }

    @Test
    void unusableConnectionSettingsAreOneLineUsageErrors() {
        Cli badUrl = Cli.run("domain", "list", "--endpoint-url", "notaurl");
        assertEquals(2, badUrl.exit());
        assertTrue(badUrl.err().startsWith("mta-sts: Invalid value for option '--endpoint-url': must be a URL like "
                + "http://127.0.0.1:8000 (got \"notaurl\")"),
                badUrl.err());
        Cli noTable = Cli.run("domain", "list", "--table", "no-such-table", "--endpoint-url", endpoint);
        assertEquals(2, noTable.exit());
        assertEquals("mta-sts: table not found (check --table/--reports-table, --region and --endpoint-url)",
                noTable.err().strip());
    }

    @Test
    void anUnreachableEndpointIsAnIoError() {
        Cli r = Cli.run("domain", "list", "--endpoint-url", "http://127.0.0.1:1");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("mta-sts: DynamoDB unreachable"), r.err());
    }
}
