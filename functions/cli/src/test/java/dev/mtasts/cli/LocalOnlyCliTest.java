package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The local stack without an AWS emulator ({@code serve --local-only}, or no moto_server on the PATH), as a new user
 * walks into it: nothing is seeded or made here, and whatever the stack will never do for a row is said at once,
 * with the way out, instead of "not picked up yet" forever.
 */
class LocalOnlyCliTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    static ServeCommand serve;
    static CompletableFuture<Integer> exit;
    static final StringWriter console = new StringWriter();
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        Path domains = Files.writeString(dir.resolve("domains.json"), """
                [
                  {"domain": "example.com", "mode": "testing", "mx": ["mail.example.com"], "max_age": 86400},
                  {"domain": "seedme.example"},
                  {"domain": "broken.example", "mode": "enforce", "mx": [], "max_age": 86400},
                  {"domain": "Bad.Example", "mode": "testing", "mx": ["mail.bad.example"], "max_age": 86400}
                ]
                """);
        serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        cl.setOut(new PrintWriter(console, true));
        exit = CompletableFuture.supplyAsync(() -> cl.execute("--port", "0", "--dynamodb-port", "0", "--local-only",
                "--domains", domains.toString(), "--data-dir", dir.resolve("raw").toString()));
        assertTrue(serve.started.await(60, TimeUnit.SECONDS), "serve did not start: " + console);
        endpoint = "http://127.0.0.1:" + serve.dynamoPort;
    }

    @AfterAll
    static void stop() throws Exception {
        serve.stop();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }

    static int status(String domain) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort + "/.well-known/mta-sts.txt"))
                .header("Host", "mta-sts." + domain).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static List<String> lines(Cli r) {
        return r.out().lines().toList();
    }

    /** A row that holds only its domain is valid: here nothing seeds it, which the start-up says, not "INVALID, 500". */
    @Test
    void theStartUpSaysARowWithoutAPolicyIsNotSeededHere() throws Exception {
        String out = console.toString();
        assertTrue(out.contains("\n  seedme.example  no policy, not served: without an AWS emulator nothing seeds one "
                + "(give the row its mode, mx and max_age)\n"), out);
        assertFalse(out.contains("seedme.example  INVALID"), out);
        assertEquals(404, status("seedme.example"));
    }

    /** domain add without a policy: at once, that nothing will seed it here, and the command that gives it one. */
    @Test
    void addingADomainWithoutAPolicySaysAtOnceThatItNeedsOne() throws Exception {
        Cli add = Cli.run("domain", "add", "example.net", "--endpoint-url", endpoint);
        assertEquals(0, add.exit(), add.err());
        assertEquals(List.of(
                "example.net: added; it has no policy, and without an AWS emulator nothing seeds one",
                "  lifecycle: blocked — not served: the row holds no policy, and without an AWS emulator nothing seeds "
                        + "one from the zone's MX hosts; give it its policy: mta-sts domain put example.net --mode "
                        + "testing --mx <your MX host>",
                "Give it its policy: mta-sts domain put example.net --mode testing --mx mail.example.net --endpoint-url "
                        + endpoint), lines(add));
        Cli get = Cli.run("domain", "get", "example.net", "--endpoint-url", endpoint);
        assertTrue(get.out().startsWith("example.net: no policy, not served (without an AWS emulator nothing seeds one)"
                + System.lineSeparator() + "  lifecycle: blocked — not served: the row holds no policy"), get.out());
        Cli list = Cli.run("domain", "list", "--endpoint-url", endpoint);
        assertTrue(list.out().lines().anyMatch(l -> l.matches(
                "example\\.net +no policy, not served \\(without an AWS emulator nothing seeds one\\)")), list.out());
        assertEquals(404, status("example.net"));

        // the command it gave
        Cli put = Cli.run("domain", "put", "example.net", "--mode", "testing", "--mx", "mail.example.net",
                "--endpoint-url", endpoint);
        assertEquals(0, put.exit(), put.err());
        assertEquals(200, status("example.net"));
        assertTrue(Cli.run("domain", "get", "example.net", "--endpoint-url", endpoint).out()
                .contains("  lifecycle: local — served by the local stack only"));
    }

    /** A row that is not valid is blocked, with the reason and the fix: never "not picked up yet", never "served". */
    @Test
    void aRowThatIsNotValidIsBlockedWithTheReason() {
        Cli broken = Cli.run("domain", "get", "broken.example", "--endpoint-url", endpoint);
        assertEquals(1, broken.exit());
        assertTrue(broken.out().contains("  lifecycle: blocked — not served: the row is not a valid policy (mode enforce "
                + "needs at least one mx pattern). Fix it: mta-sts domain put broken.example --mode testing --mx <your "
                + "MX host>"), broken.out());

        Cli bad = Cli.run("domain", "get", "Bad.Example", "--endpoint-url", endpoint);
        assertEquals(1, bad.exit());
        assertTrue(bad.out().contains("  lifecycle: blocked — the stack never picks this row up: \"Bad.Example\" must "
                + "be written as \"bad.example\" (lower case, A-labels, no trailing dot); add the domain in that form and "
                + "remove this row (mta-sts domain remove Bad.Example)"), bad.out());
        Cli json = Cli.run("domain", "get", "Bad.Example", "--json", "--endpoint-url", endpoint);
        assertTrue(json.out().contains("\"lifecycle\":{\"state\":\"blocked\""), json.out());
    }

    /** --mx is read as the domain argument is: Unicode converted to A-labels, a trailing dot dropped. */
    @Test
    void mxPatternsAreTypedAsTheDomainIs() {
        Cli put = Cli.run("domain", "put", "bücher.example.", "--mode", "testing", "--mx", "mäil.bücher.example",
                "--mx", "*.MX.example.net.", "--endpoint-url", endpoint);
        assertEquals(0, put.exit(), put.err());
        assertTrue(put.out().startsWith("xn--bcher-kva.example: added, testing, mx xn--mil-qla.xn--bcher-kva.example "
                + "*.mx.example.net, max_age 86400, id "), put.out());
        Cli bad = Cli.run("domain", "put", "bücher.example", "--mode", "testing", "--mx", "mä_il.example",
                "--mx", "mail*.example", "--endpoint-url", endpoint);
        assertEquals(1, bad.exit());
        assertEquals(List.of(
                "mta-sts: xn--bcher-kva.example: mx[0]: \"mä_il.example\" is not a valid domain name: label \"mä_il\" "
                        + "holds U+005F LOW LINE, which is not allowed in domain names",
                "mta-sts: xn--bcher-kva.example: mx[1]: \"mail*.example\" is not a valid mx pattern: '*' is allowed "
                        + "only as the whole left-most label (\"*.example.com\"); nothing written"), bad.err().lines().toList());
    }

    /** The HTTP API's port given for DynamoDB's: said as such, with the port that is DynamoDB's. */
    @Test
    void theHttpPortGivenAsTheEndpointIsNamed() {
        String http = "http://127.0.0.1:" + serve.httpPort;
        Cli r = Cli.run("domain", "list", "--endpoint-url", http);
        assertEquals(2, r.exit());
        assertEquals("mta-sts: " + http + " is not DynamoDB: it answered HTTP 404, not as DynamoDB does. For the local "
                + "stack, --endpoint-url is the DynamoDB Local address mta-sts serve prints (http://127.0.0.1:8000 by "
                + "default; 8080 is its HTTP API, for policies and reports)", r.err().strip());
    }
}
