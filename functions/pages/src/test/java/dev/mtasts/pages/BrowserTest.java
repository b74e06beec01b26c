package dev.mtasts.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page as Chromium renders it: no console message (no script error, no request its Content-Security-Policy had to
 * refuse), every bar and series the figures call for, bars actually drawn on a desktop and a phone screen, and a
 * printed page per domain.
 */
class BrowserTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final Pattern SECTION = Pattern.compile("<section class=\"card domain\" id=\"d-([^\"]+)\">(.*?)</section>",
            Pattern.DOTALL);
    static final Pattern FIGURE = Pattern.compile("<figure class=\"(sessions|failures)\">(.*?)</figure>", Pattern.DOTALL);
    static final Pattern BAR = Pattern.compile("<rect class=\"bar\" data-series=\"([^\"]*)\"");

    @TempDir
    static Path dir;
    static ReportPage page;
    static Path file;

    @BeforeAll
    static void page() throws Exception {
        Tables t = Tables.fresh();
        Demo.load(t.domains(), t.reports(), LocalDate.parse("2026-11-30"));
        page = t.pages(NOW).page(Set.of(), null, false);
        file = dir.resolve("reports.html");
        Files.writeString(file, page.html());
    }

    /** Per domain and chart: the series of each bar drawn, in order. */
    static Map<String, Map<String, List<String>>> bars(String dom) {
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        Matcher s = SECTION.matcher(dom);
        while (s.find()) {
            Map<String, List<String>> charts = new LinkedHashMap<>();
            Matcher f = FIGURE.matcher(s.group(2));
            while (f.find()) {
                charts.put(f.group(1), BAR.matcher(f.group(2)).results().map(m -> m.group(1)).toList());
            }
            out.put(s.group(1), charts);
        }
        return out;
    }

    /** What the figures call for: a bar per day and series with sessions. */
    static Map<String, List<Integer>> expected(DomainReport d) {
        int ok = 0;
        int failed = 0;
        int types = 0;
        for (DomainReport.Day day : d.days()) {
            ok += day.successful() > 0 ? 1 : 0;
            failed += day.failed() > 0 ? 1 : 0;
            types += (int) day.failures().values().stream().filter(v -> v > 0).count();
        }
        return Map.of("sessions", List.of(ok + failed), "failures", List.of(types));
    }

    @Test
    void chromiumRendersEveryBarAndSeriesWithoutAConsoleMessage() throws Exception {
        Chromium.Run run = Chromium.dumpDom(file.toUri().toString());
        Chromium.assertQuiet(run);
        Map<String, Map<String, List<String>>> bars = bars(run.out());
        assertEquals(List.of("example.com", "example.org", "retired.example"), List.copyOf(bars.keySet()));
        for (DomainReport d : page.domains()) {
            Map<String, List<String>> charts = bars.get(d.domain());
            assertEquals(expected(d).get("sessions").get(0), charts.get("sessions").size(), d.domain());
            assertEquals(expected(d).get("failures").get(0), charts.getOrDefault("failures", List.of()).size(), d.domain());
        }
        // example.com: 29 days reported, failures on the last three, all of one type
        Map<String, List<String>> com = bars.get("example.com");
        assertEquals(32, com.get("sessions").size());
        assertEquals(Set.of("ok", "failed"), Set.copyOf(com.get("sessions")));
        assertEquals(List.of("certificate-expired", "certificate-expired", "certificate-expired"), com.get("failures"));
        Map<String, List<String>> org = bars.get("example.org");
        assertEquals(new TreeSet<>(List.of("starttls-not-supported", "sts-policy-fetch-error")),
                new TreeSet<>(org.get("failures")));
        assertEquals(11, org.get("failures").size());
        assertEquals(0, bars.get("retired.example").get("sessions").size());
        // the policy strip (a cell per day senders named a policy) and the pin of the change to enforce
        Matcher s = SECTION.matcher(run.out());
        while (s.find()) {
            DomainReport d = page.domains().stream().filter(x -> x.domain().equals(s.group(1))).findFirst().orElseThrow();
            assertEquals(d.seen().size(), s.group(2).split("<rect class=\"cell\"", -1).length - 1, d.domain());
            assertEquals(d.marks().isEmpty() ? 0 : 1, s.group(2).split("<span class=\"pin\"", -1).length - 1, d.domain());
        }
        assertEquals(29, page.domains().get(0).seen().size());
    }

    @Test
    void barsAreDrawnOnADesktopAndAPhoneScreen() throws Exception {
        for (int[] size : new int[][] {{1200, 1600}, {400, 1400}}) {
            Path png = dir.resolve("page-" + size[0] + ".png");
            Chromium.Run run = Chromium.screenshot(file.toUri().toString(), png, size[0], size[1]);
            Chromium.assertQuiet(run);
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(size[0], image.getWidth());
            // the ok bars and the certificate-expired bars of example.com are on the first screen
            assertTrue(pixels(image, Looks.OK) > (size[0] > 1000 ? 20_000 : 8_000), "ok bars at " + size[0]);
            assertTrue(pixels(image, Looks.color("certificate-expired", 0)) > 300, "failure bars at " + size[0]);
        }
    }

    @Test
    void printingGivesAPagePerDomain() throws Exception {
        Path pdf = dir.resolve("page.pdf");
        Chromium.assertQuiet(Chromium.print(file.toUri().toString(), pdf));
        String text = new String(Files.readAllBytes(pdf), java.nio.charset.StandardCharsets.ISO_8859_1);
        long pages = Pattern.compile("/Type\\s*/Page[^s]").matcher(text).results().count();
        assertTrue(pages >= page.domains().size(), pages + " pages: each domain starts one");
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
