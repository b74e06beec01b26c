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
        assertEquals(List.of("example.com", "example.org"), List.copyOf(bars.keySet()));
        // retired.example has no reports: a line, no charts
        assertTrue(run.out().contains("<section class=\"card domain brief\" id=\"d-retired.example\"><p>"), run.out());
        for (DomainReport d : page.domains().subList(0, 2)) {
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
        // the policy strip (a cell per day senders named a policy) and the pin of the change to enforce
        Matcher s = SECTION.matcher(run.out());
        while (s.find()) {
            DomainReport d = page.domains().stream().filter(x -> x.domain().equals(s.group(1))).findFirst().orElseThrow();
            assertEquals(d.seen().size(), s.group(2).split("<rect class=\"cell\"", -1).length - 1, d.domain());
            assertEquals(1, s.group(2).split("<rect class=\"track\"", -1).length - 1, d.domain());
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

    /**
     * A domain with one report: its policy strip is one cell, drawn on a track as wide as the plot and named on its
     * left, so that it reads as a row and not as a stray mark under a bar.
     */
    @Test
    void aOneDayPolicyStripIsARowAsWideAsThePlot() throws Exception {
        Tables t = Tables.fresh();
        t.domains().putItem(Map.of("domain", "one.example", "mode", "testing", "mx", List.of("mail.one.example"),
                "max_age", java.math.BigDecimal.valueOf(86400)));
        LocalDate day = LocalDate.parse("2026-11-27");
        t.store("one.json", Senders.google("one.example", day, Senders.policy("testing", 86400, "mail.one.example"),
                List.of("mail.one.example"), 50).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ReportPage one = t.pages(NOW).page(Set.of(), null, false);
        assertEquals(1, one.domains().get(0).seen().size());
        Path html = dir.resolve("one.html");
        Files.writeString(html, one.html());
        Path png = dir.resolve("one.png");
        Chromium.assertQuiet(Chromium.screenshot(html.toUri().toString(), png, 1200, 900));
        BufferedImage image = ImageIO.read(png.toFile());
        // the strip's rows: where the track is drawn; its cell, and the bar above it (not the badges and legend)
        int top = image.getHeight();
        int bottom = -1;
        for (int y = 0; y < image.getHeight(); y++) {
            if (count(image, TRACK, y) > 100) {
                top = Math.min(top, y);
                bottom = Math.max(bottom, y);
            }
        }
        assertTrue(bottom >= 0 && bottom - top < 15, "one strip, a few pixels high: rows " + top + ".." + bottom);
        int[] track = extent(image, TRACK, top, bottom);
        int[] cell = extent(image, Looks.mode("testing"), top, bottom);
        int[] bar = extent(image, Looks.OK, top - 200, top - 1);
        assertTrue(cell[1] - cell[0] < 30, "one cell: " + cell[0] + ".." + cell[1]);
        assertTrue(cell[0] >= bar[0] - 3 && cell[1] <= bar[1] + 6, "under its bar: cell " + cell[0] + ".." + cell[1]
                + ", bar " + bar[0] + ".." + bar[1]);
        // the plot is the left half of the page, less the axis: the track spans it, the cell lies on it
        assertTrue(track[1] - track[0] > 420, "the track spans the plot: " + track[0] + ".." + track[1]);
        assertTrue(track[0] < cell[0] - 300 && track[1] > cell[1], "the cell lies on the track");
        assertTrue(one.html().contains("<div class=\"lane\">policy</div>"));
    }

    /** The track under the policy strip, as the page's style draws it. */
    static final String TRACK = "#" + ReportPage.CSS.replaceAll("(?s).*\\.chart \\.track\\{fill:#([0-9a-f]{6})\\}.*", "$1");

    /** The leftmost and rightmost column with a pixel of this colour in rows {@code from} to {@code to}. */
    static int[] extent(BufferedImage image, String hex, int from, int to) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        int min = Integer.MAX_VALUE;
        int max = -1;
        for (int y = Math.max(0, from); y <= Math.min(image.getHeight() - 1, to); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                }
            }
        }
        assertTrue(max >= 0, "no pixel of " + hex + " in rows " + from + ".." + to);
        return new int[] {min, max};
    }

    static int count(BufferedImage image, String hex, int y) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        int n = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            n += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
        }
        return n;
    }

    @Test
    void printingGivesAPagePerDomain() throws Exception {
        Path pdf = dir.resolve("page.pdf");
        Chromium.assertQuiet(Chromium.print(file.toUri().toString(), pdf));
        String text = new String(Files.readAllBytes(pdf), java.nio.charset.StandardCharsets.ISO_8859_1);
        long pages = Pattern.compile("/Type\\s*/Page[^s]").matcher(text).results().count();
        // each domain with reports starts one; a domain without reports is a line
        assertTrue(pages >= page.domains().size() - 1, pages + " pages: each domain starts one");
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
