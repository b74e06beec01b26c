package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.store.Dynamo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * Ctrl-C and {@code mta-sts serve} again on the same {@code --data-dir}: every domain comes back with its row and
 * state and is made ready again in the new moto_server (served all along), every report is still in the reports
 * table, on the page and on disk. Two runs never share a folder; {@code --in-memory} keeps nothing.
 */
class ServeRestartTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String DAY = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
    static final String REPORT = "{\"organization-name\":\"Example Search Inc.\",\"date-range\":{\"start-datetime\":\""
            + DAY + "T00:00:00Z\",\"end-datetime\":\"" + DAY + "T23:59:59Z\"},\"report-id\":\"restart-1\","
            + "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"kept.example\"},"
            + "\"summary\":{\"total-successful-session-count\":700,\"total-failure-session-count\":7},"
            + "\"failure-details\":[{\"result-type\":\"starttls-not-supported\",\"failed-session-count\":7}]}]}";

    @TempDir
    Path dir;

    /** A run of {@code serve} in this JVM, on free ports. */
    record Serve(ServeCommand command, CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
        static Serve start(String... args) throws Exception {
            ServeCommand serve = new ServeCommand();
            CommandLine cl = new CommandLine(serve);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            List<String> all = new ArrayList<>(List.of("--port", "0", "--dynamodb-port", "0"));
            all.addAll(List.of(args));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(all.toArray(String[]::new)));
            Serve s = new Serve(serve, exit, out, err);
            for (int i = 0; i < 900 && !exit.isDone() && serve.started.getCount() > 0; i++) {
                Thread.sleep(100);
            }
            return s;
        }

        String endpoint() {
            return "http://127.0.0.1:" + command.dynamoPort;
        }

        int stop() throws Exception {
            command.stop();
            return exit.get(30, TimeUnit.SECONDS);
        }

        HttpResponse<String> get(String host, String path) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + command.httpPort + path));
            if (host != null) {
                b.header("Host", host);
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** {@code domain get D --json} until it passes, or two minutes (moto_server on a busy machine). */
        String await(String domain, Predicate<String> done) throws InterruptedException {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            String got = "";
            while (Instant.now().isBefore(deadline)) {
                Cli get = Cli.run("domain", "get", domain, "--json", "--endpoint-url", endpoint());
                got = get.out() + get.err();
                if (done.test(got)) {
                    return got;
                }
                Thread.sleep(300);
            }
            throw new AssertionError(domain + " did not get there: " + got + "\n" + out);
        }
    }

    static boolean ready(String json) {
        return json.contains("\"lifecycle\":{\"state\":\"ready\"");
    }

    @Test
    void aRestartFindsEveryDomainAndReportAgain() throws Exception {
        Path data = dir.resolve("data");
        Path domains = dir.resolve("domains.json");
        Files.writeString(domains, "[{\"domain\": \"kept.example\", \"mode\": \"testing\", \"mx\": [\"mail.kept.example\"],"
                + " \"max_age\": 86400}]");
        Serve first = Serve.start("--domains", domains.toString(), "--data-dir", data.toString());
        assertTrue(first.command().awsInUse != null, "serve started its moto_server: " + first.out() + first.err());
        assertTrue(first.out().toString().contains("Domains from " + domains + ":"), first.out().toString());
        first.await("kept.example", ServeRestartTest::ready);
        assertEquals(0, Cli.run("domain", "add", "added.example", "--endpoint-url", first.endpoint()).exit());
        first.await("added.example", ServeRestartTest::ready);
        // a change after the file was loaded: the file must not undo it at the next start
        assertEquals(0, Cli.run("domain", "put", "kept.example", "--mode", "enforce", "--mx", "mail.kept.example",
                "--max-age", "604800", "--endpoint-url", first.endpoint()).exit());
        first.await("kept.example", o -> ready(o) && o.contains("\"mode\":\"enforce\""));
        HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + first.command().httpPort + "/v1/tlsrpt")).header("Host", "mta-sts.kept.example")
                .header("Content-Type", "application/tlsrpt+json").POST(HttpRequest.BodyPublishers.ofString(REPORT)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, posted.statusCode(), posted.body());
        String enforce = first.get("mta-sts.kept.example", "/.well-known/mta-sts.txt").body();
        assertEquals(0, first.stop());

        Serve second = Serve.start("--domains", domains.toString(), "--data-dir", data.toString());
        try {
            String banner = second.out().toString();
            assertTrue(banner.contains("Data            " + data + " (found again): tables in " + data.resolve("dynamodb")
                    + ", raw report bodies in " + data.resolve("reports")), banner);
            assertTrue(banner.contains("Domains kept in " + data), banner);
            assertTrue(banner.contains("  added.example  testing, id "), banner);
            assertTrue(banner.contains("  kept.example  enforce, id "), banner);
            assertTrue(banner.contains("moto_server is new: the lifecycle makes 2 domains' certificates, custom domains "
                    + "and records there again"), banner);
            assertFalse(banner.contains("Added from"), "the file adds nothing the tables have: " + banner);
            // served from the first request on, as before the restart
            assertEquals(enforce, second.get("mta-sts.kept.example", "/.well-known/mta-sts.txt").body());

            String kept = second.await("kept.example", ServeRestartTest::ready);
            assertTrue(kept.contains("\"mode\":\"enforce\""), "the row as it was changed, not the file's: " + kept);
            second.await("added.example", ServeRestartTest::ready);
            assertEquals(enforce, second.get("mta-sts.kept.example", "/.well-known/mta-sts.txt").body());
            assertEquals(200, second.get("mta-sts.added.example", "/.well-known/mta-sts.txt").statusCode());
            // made again in the new moto_server: the records are there
            try (Route53Client route53 = Route53Client.builder().httpClient(UrlConnectionHttpClient.create())
                    .region(Region.AWS_GLOBAL).credentialsProvider(Dynamo.localCredentials())
                    .endpointOverride(second.command().awsInUse).build()) {
                for (String d : List.of("kept.example", "added.example")) {
                    String zone = route53.listHostedZonesByName(r -> r.dnsName(d)).hostedZones().stream()
                            .filter(z -> z.name().equals(d + ".")).findFirst().orElseThrow().id().replace("/hostedzone/", "");
                    List<String> txt = route53.listResourceRecordSets(r -> r.hostedZoneId(zone)).resourceRecordSets()
                            .stream().filter(s -> s.type() == RRType.TXT).map(s -> s.name()).toList();
                    assertTrue(txt.contains("_mta-sts." + d + ".") && txt.contains("_smtp._tls." + d + "."), d + ": " + txt);
                }
            }

            Cli reports = Cli.run("reports", "--json", "--endpoint-url", second.endpoint());
            assertEquals("[{\"domain\":\"kept.example\",\"date\":\"" + DAY + "\",\"successful\":700,\"failed\":7,"
                    + "\"failures\":{\"starttls-not-supported\":7},\"reporters\":[\"Example Search Inc.\"],"
                    + "\"other_reporters\":0}]", reports.out().strip());
            String page = second.get(null, "/").body();
            assertTrue(page.contains("<section class=\"card domain\" id=\"d-kept.example\">"), page);
            assertTrue(page.contains("starttls-not-supported"), page);
            try (var raw = Files.walk(data.resolve("reports"))) {
                assertEquals(1, raw.filter(f -> f.toString().endsWith(".json")).count(), "the raw body, kept");
            }

            // a second run on the same folder is refused at once, before it touches anything
            Serve third = Serve.start("--data-dir", data.toString(), "--local-only");
            assertEquals(2, third.exit().get(30, TimeUnit.SECONDS));
            assertEquals("mta-sts: " + data + " is in use by another mta-sts serve: stop it, or name another --data-dir",
                    third.err().toString().strip());
            assertTrue(ready(Cli.run("domain", "get", "kept.example", "--json", "--endpoint-url", second.endpoint()).out()));
        } finally {
            assertEquals(0, second.stop());
        }

        // without an AWS emulator, the same domains are served by the local stack
        Serve local = Serve.start("--data-dir", data.toString(), "--local-only");
        try {
            Cli list = Cli.run("domain", "list", "--endpoint-url", local.endpoint());
            assertEquals(2, list.out().lines().filter(l -> l.contains("local — served by the local stack only")).count(),
                    list.out());
            assertEquals(enforce, local.get("mta-sts.kept.example", "/.well-known/mta-sts.txt").body());
        } finally {
            assertEquals(0, local.stop());
        }
    }

    @Test
    void inMemoryKeepsNoTables() throws Exception {
        Path data = dir.resolve("memory");
        Files.writeString(dir.resolve("one.json"), "[{\"domain\": \"m.example\", \"mode\": \"testing\", \"mx\": "
                + "[\"mail.m.example\"], \"max_age\": 86400}]");
        Serve s = Serve.start("--data-dir", data.toString(), "--in-memory", "--local-only", "--domains",
                dir.resolve("one.json").toString());
        assertTrue(s.out().toString().contains("Data            tables in memory (--in-memory: gone when this stops), "
                + "raw report bodies in " + data.resolve("reports")), s.out().toString());
        assertEquals(0, s.stop());
        assertFalse(Files.exists(data.resolve("dynamodb")), "no tables on disk");
    }

    @Test
    void aFileIsNoDataFolder() throws Exception {
        Path file = Files.writeString(dir.resolve("data"), "x");
        Serve s = Serve.start("--data-dir", file.toString(), "--local-only");
        assertEquals(2, s.exit().get(30, TimeUnit.SECONDS));
        assertEquals("mta-sts: " + file + " is a file, not a folder: name a folder for --data-dir (the default is "
                + ".mta-sts/local)", s.err().toString().strip());
    }

    /** A folder of raw reports that earlier versions wrote is not taken for a data folder. */
    @Test
    void aReportsFolderOfAnEarlierVersionIsRefused() throws Exception {
        Path old = dir.resolve("reports");
        Files.createDirectories(old.resolve("https/2026/12/01"));
        Serve s = Serve.start("--data-dir", old.toString(), "--local-only");
        assertEquals(2, s.exit().get(30, TimeUnit.SECONDS));
        assertEquals("mta-sts: " + old + " holds raw reports (https/) but no tables: it is a reports folder of an "
                + "earlier version, not a data folder of serve. Name a new folder (the default is .mta-sts/local); the "
                + "reports there stay as they are", s.err().toString().strip());
        try (var files = Files.list(old)) {
            assertEquals(List.of(old.resolve("https")), files.toList(), "nothing written there");
        }
    }
}
