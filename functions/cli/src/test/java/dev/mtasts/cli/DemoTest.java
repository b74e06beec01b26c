package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.pages.Chromium;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.StateStore;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code mta-sts demo}'s month, taken the way the docs take it: written as files, stored with {@code report ingest}
 * beside the rows of {@code infra/local/domains.json}, drawn by {@code reports --html} and rendered by Chromium. Every
 * file is named for the day it reports and is stored once; every day and failure the stored reports hold is a bar the
 * browser draws; the page asks the browser for nothing.
 */
class DemoTest {
    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    static final LocalDate YESTERDAY = TODAY.minusDays(1);
    static final Pattern NAME = Pattern.compile("([a-z]+\\.example)!([a-z.]+)!(\\d+)!(\\d+)\\.json");
    static final Pattern SECTION = Pattern.compile("<section class=\"card domain\" id=\"d-([^\"]+)\">(.*?)</section>",
            Pattern.DOTALL);
    static final Pattern FIGURE = Pattern.compile("<figure class=\"(sessions|failures)\">(.*?)</figure>", Pattern.DOTALL);
    static final Pattern BAR = Pattern.compile("<rect class=\"bar\" data-series=\"([^\"]*)\" data-day=\"([^\"]*)\"");

    @TempDir
    static Path dir;
    static LocalDynamoDb dynamo;
    static String endpoint;
    static Cli demo;
    static List<Path> files;
    static Cli ingest;

    @BeforeAll
    static void writeAndStore() throws Exception {
        dynamo = LocalDynamoDb.start();
        endpoint = dynamo.endpoint().toString();
        DynamoDbClient client = Dynamo.create(dynamo.endpoint(), null);
        DomainStore domains = new DomainStore(client, DomainStore.DEFAULT_TABLE).withState(StateStore.DEFAULT_TABLE);
        domains.createTable();
        domains.state().createTable();
        new ReportStore(client, ReportStore.DEFAULT_TABLE, Duration.ofDays(400)).createTable();
        DomainsFile.load(domains, DomainsFile.read(Path.of("..", "..", "infra", "local", "domains.json")), false);

        demo = Cli.run("demo", dir.resolve("demo").toString());
        try (var list = Files.list(dir.resolve("demo"))) {
            files = list.sorted().toList();
        }
        List<String> args = new ArrayList<>(List.of("report", "ingest"));
        files.forEach(f -> args.add(f.toString()));
        args.addAll(List.of("--endpoint-url", endpoint, "--data-dir", dir.resolve("raw").toString()));
        ingest = Cli.run(args.toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        dynamo.close();
    }

    @Test
    void aMonthOfFilesNamedForTheDaysTheyReport() throws Exception {
        assertEquals(0, demo.exit(), demo.err());
        LocalDate first = TODAY.minusDays(29);
        assertEquals(List.of(dir.resolve("demo") + ": " + files.size() + " reports of " + first + " to " + YESTERDAY
                        + " for example.com and example.org, by Example Mail LLC, Example Postfix Site, Example Search "
                        + "Inc., Example Soft Corporation",
                "Store them in the local stack: mta-sts report ingest " + dir.resolve("demo").resolve("*")
                        + " --endpoint-url http://127.0.0.1:8000"), demo.out().lines().toList());
        assertTrue(files.size() > 100, files.size() + " files");
        Set<LocalDate> days = new TreeSet<>();
        ReportReader reader = new ReportReader(Limits.DEFAULT);
        for (Path f : files) {
            Matcher m = NAME.matcher(f.getFileName().toString());
            assertTrue(m.matches(), f.toString());
            TlsReport r = reader.read(new ByteArrayInputStream(Files.readAllBytes(f)), null).report();
            assertEquals(Long.parseLong(m.group(3)), r.start().getEpochSecond(), f + ": the begin of its date-range");
            assertEquals(Long.parseLong(m.group(4)), r.end().getEpochSecond(), f + ": the end of its date-range");
            assertEquals(Set.of(m.group(2)), r.totalsByDomain().keySet(), f + ": its policy domain");
            days.add(LocalDate.ofInstant(r.start(), ZoneOffset.UTC));
        }
        assertEquals(first, days.iterator().next());
        assertEquals(YESTERDAY, ((TreeSet<LocalDate>) days).last(), "no report of a day that is not over");
        assertEquals(28, days.size(), "29 days, one of which nobody reported");

        Cli bad = Cli.run("demo", dir.resolve("later").toString(), "--end", TODAY.plusDays(1).toString());
        assertEquals(1, bad.exit());
        assertEquals("mta-sts: --end " + TODAY.plusDays(1) + " is after today: report ingest refuses reports of days to "
                + "come", bad.err().strip());
        assertEquals(1, Cli.run("demo", dir.resolve("later").toString(), "--end", "yesterday").exit());
    }

    @Test
    void reportIngestStoresEveryFileOnce() {
        assertEquals(0, ingest.exit(), ingest.out() + ingest.err());
        assertEquals(files.size(), ingest.out().lines().filter(l -> l.matches("\\[\\d+/\\d+] .*: stored \\(example\\.(com|org)\\)"))
                .count(), ingest.out());
        List<String> again = new ArrayList<>(List.of("report", "ingest", files.get(0).toString(), "--endpoint-url", endpoint,
                "--data-dir", dir.resolve("raw").toString()));
        Cli twice = Cli.run(again.toArray(String[]::new));
        assertEquals(0, twice.exit());
        assertTrue(twice.out().contains(": already stored, counted once"), twice.out());
    }

    /** Per domain and chart, the bars Chromium drew: series and day. */
    static Map<String, Map<String, List<String>>> bars(String dom) {
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        Matcher s = SECTION.matcher(dom);
        while (s.find()) {
            Map<String, List<String>> charts = new LinkedHashMap<>();
            Matcher f = FIGURE.matcher(s.group(2));
            while (f.find()) {
                charts.put(f.group(1), BAR.matcher(f.group(2)).results().map(m -> m.group(1) + " " + m.group(2)).toList());
            }
            out.put(s.group(1), charts);
        }
        return out;
    }

    /** What the day summaries ({@code reports --json}) call for: a bar per day and series, per type of failure. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Set<String>>> expected() throws java.io.IOException {
        Cli json = Cli.run("reports", "--json", "--endpoint-url", endpoint);
        assertEquals(0, json.exit(), json.err());
        Map<String, Map<String, Set<String>>> out = new LinkedHashMap<>();
        for (Object o : (List<Object>) Json.read(new ByteArrayInputStream(json.out().getBytes(
                java.nio.charset.StandardCharsets.UTF_8)))) {
            Map<String, Object> day = (Map<String, Object>) o;
            String date = (String) day.get("date");
            Map<String, Set<String>> charts = out.computeIfAbsent((String) day.get("domain"), k -> new LinkedHashMap<>());
            Set<String> sessions = charts.computeIfAbsent("sessions", k -> new TreeSet<>());
            Set<String> failures = charts.computeIfAbsent("failures", k -> new TreeSet<>());
            if (((Number) day.get("successful")).longValue() > 0) {
                sessions.add("ok " + date);
            }
            if (((Number) day.get("failed")).longValue() > 0) {
                sessions.add("failed " + date);
            }
            ((Map<String, Object>) day.get("failures")).forEach((type, n) -> {
                if (((Number) n).longValue() > 0) {
                    failures.add(type + " " + date);
                }
            });
        }
        return out;
    }

    @Test
    void chromiumDrawsEveryDayAndFailureOfTheStoredMonth() throws Exception {
        assertEquals(0, ingest.exit(), ingest.out());
        Path html = dir.resolve("reports.html");
        Cli page = Cli.run("reports", "--html", html.toString(), "--endpoint-url", endpoint);
        assertEquals(0, page.exit(), page.err());
        assertTrue(page.out().startsWith(html + ": 3 domains, " + TODAY.minusDays(29) + " to " + TODAY + ", " + files.size()
                + " reports ("), page.out());

        Chromium.Run run = Chromium.dumpDom(html.toUri().toString());
        Chromium.assertQuiet(run);
        Map<String, Map<String, List<String>>> drawn = bars(run.out());
        Map<String, Map<String, Set<String>>> expected = expected();
        assertEquals(List.of("example.com", "example.org"), List.copyOf(drawn.keySet()));
        assertEquals(expected.keySet(), drawn.keySet());
        for (String d : drawn.keySet()) {
            for (String chart : List.of("sessions", "failures")) {
                List<String> bars = drawn.get(d).getOrDefault(chart, List.of());
                assertEquals(bars.size(), Set.copyOf(bars).size(), d + " " + chart + ": a bar per day and series");
                assertEquals(expected.get(d).get(chart), new TreeSet<>(bars), d + " " + chart);
            }
        }
        // the story the month tells: example.com's last three days failed on an expired certificate, nothing else
        assertEquals(28, drawn.get("example.com").get("sessions").stream().filter(b -> b.startsWith("ok ")).count());
        assertEquals(List.of("certificate-expired " + TODAY.minusDays(3), "certificate-expired " + TODAY.minusDays(2),
                "certificate-expired " + YESTERDAY), drawn.get("example.com").get("failures"));
        assertEquals(Set.of("starttls-not-supported", "sts-policy-fetch-error"), drawn.get("example.org").get("failures")
                .stream().map(b -> b.split(" ")[0]).collect(java.util.stream.Collectors.toSet()));
        // example.com's change from testing to enforce is pinned on the day senders saw it
        String com = SECTION.matcher(run.out()).results().filter(m -> m.group(1).equals("example.com")).findFirst()
                .orElseThrow().group(2);
        assertTrue(com.contains("senders saw enforce, id "), com);
        assertTrue(com.contains("<rect class=\"cell\" data-kind=\"testing\"") && com.contains(
                "<rect class=\"cell\" data-kind=\"enforce\""), "the strip shows both policies");
        // retired.example, without reports: a line
        assertTrue(run.out().contains("<section class=\"card domain brief\" id=\"d-retired.example\">"), run.out());

        Path png = dir.resolve("reports.png");
        Chromium.assertQuiet(Chromium.screenshot(html.toUri().toString(), png, 1100, 1300));
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(pixels(image, "#4c9a6a") > 20_000, "the ok bars are drawn");
        assertTrue(pixels(image, "#d55e00") > 1_000, "the certificate-expired bars are drawn");
    }

    static int pixels(BufferedImage image, String hex) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return n;
    }
}
