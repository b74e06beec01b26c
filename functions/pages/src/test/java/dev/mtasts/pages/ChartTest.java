package dev.mtasts.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The bar charts: round axes, one bar per series and day with a value, heights in proportion, nothing unescaped. */
class ChartTest {
    static final Window THREE = new Window(LocalDate.parse("2026-11-28"), LocalDate.parse("2026-11-30"));
    static final Pattern BAR = Pattern.compile("<rect class=\"bar\" data-series=\"([^\"]*)\" data-day=\"([^\"]*)\" "
            + "x=\"([^\"]*)\" y=\"([^\"]*)\" width=\"7\" height=\"([^\"]*)\"");

    static Stream<Arguments> ticks() {
        return Stream.of(
                Arguments.of(0L, new long[] {0, 1}),
                Arguments.of(1L, new long[] {0, 1}),
                Arguments.of(2L, new long[] {0, 1, 2}),
                Arguments.of(3L, new long[] {0, 1, 2, 3}),
                Arguments.of(7L, new long[] {0, 2, 4, 6, 8}),
                Arguments.of(54L, new long[] {0, 20, 40, 60}),
                Arguments.of(101L, new long[] {0, 50, 100, 150}),
                Arguments.of(1900L, new long[] {0, 500, 1000, 1500, 2000}),
                Arguments.of(2030L, new long[] {0, 1000, 2000, 3000}),
                Arguments.of(90_000L, new long[] {0, 25_000, 50_000, 75_000, 100_000}),
                Arguments.of(1_000_000_000_000L, new long[] {0, 250_000_000_000L, 500_000_000_000L,
                    750_000_000_000L, 1_000_000_000_000L}));
    }

    @ParameterizedTest(name = "a day of at most {0} sessions")
    @MethodSource
    void ticks(long max, long[] expected) {
        assertArrayEquals(expected, Chart.ticks(max));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"0, 0", "950, 950", "1000, 1k", "1500, 1.5k", "2500, 2.5k", "20000, 20k", "3000000, 3M",
        "1250000000000, 1.3T"})
    void compactAxisLabels(long v, String label) {
        assertEquals(label, Chart.compact(v));
    }

    static List<String[]> bars(String html) {
        List<String[]> out = new ArrayList<>();
        Matcher m = BAR.matcher(html);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2), m.group(4), m.group(5)});
        }
        return out;
    }

    @Test
    void oneBarPerSeriesAndDayWithSessionsStackedInProportion() {
        String html = new Chart("sessions", THREE, List.of(
                new Chart.Series("ok", "ok", Looks.OK, new long[] {100, 0, 50}),
                new Chart.Series("failed", "failed", Looks.FAILED, new long[] {1, 0, 0})),
                new boolean[] {true, false, true}, List.of(), null).html();
        List<String[]> bars = bars(html);
        assertEquals(List.of("ok 2026-11-28", "failed 2026-11-28", "ok 2026-11-30"),
                bars.stream().map(b -> b[0] + " " + b[1]).toList());
        // the axis goes to 150: 100 sessions are two thirds of the plot, 50 a third
        assertEquals("66.67", bars.get(0)[3]);
        assertEquals("33.33", bars.get(2)[3]);
        // one failure in 101 is drawn, at least MIN_HEIGHT high, on top of the ok bar
        assertEquals("1.2", bars.get(1)[3]);
        assertEquals("32.13", bars.get(1)[2]);
        // a day without a report is marked as such, not drawn as zero
        assertTrue(html.contains("<title>2026-11-29: no report</title>"), html);
        assertTrue(html.contains("<title>2026-11-28: 100 ok</title>"), html);
        assertEquals(List.of("0", "50", "100", "150"), labels(html, "bottom"));
        assertEquals(List.of("11-28", "11-29", "11-30"), labels(html, "left"));
    }

    static List<String> labels(String html, String side) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<span style=\"" + side + ":[^\"]*\">([^<]*)</span>").matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void aMonthHasALabelEveryFewDaysAndMarksOnOneDayShareAPin() {
        Window month = new Window(LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-30"));
        long[] ok = new long[30];
        boolean[] reported = new boolean[30];
        java.util.Arrays.fill(ok, 10);
        java.util.Arrays.fill(reported, true);
        LocalDate change = LocalDate.parse("2026-11-12");
        String html = new Chart("sessions", month, List.of(new Chart.Series("ok", "ok", Looks.OK, ok)), reported,
                List.of(change, change, LocalDate.parse("2026-11-20")), null).html();
        assertEquals(30, bars(html).size());
        assertEquals(List.of("11-01", "11-06", "11-11", "11-16", "11-21", "11-26"), labels(html, "left"));
        assertTrue(html.contains(">1,2</span>"), html);
        assertTrue(html.contains(">3</span>"), html);
        assertEquals(2, html.split("<line class=\"mark\"", -1).length - 1);
        // spanning two years, dates are whole
        Window turn = new Window(LocalDate.parse("2026-12-30"), LocalDate.parse("2027-01-02"));
        String t = new Chart("x", turn, List.of(), new boolean[4], List.of(), null).html();
        assertEquals(List.of("2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"), labels(t, "left"));
    }

    /** A strip of one cell is still a row: a track under the whole plot, named on its left. */
    @Test
    void aStripOfOneCellHasATrackAsWideAsThePlot() {
        String html = new Chart("sessions", THREE, List.of(new Chart.Series("ok", "ok", Looks.OK, new long[] {0, 5, 0})),
                new boolean[] {false, true, false}, List.of(), new Chart.Strip("policy", java.util.Arrays.asList(null,
                        new Chart.Cell("testing", "#d4a017", "most sessions under testing"), null))).html();
        assertTrue(html.contains("<div class=\"lane\">policy</div><div class=\"strip\"><svg viewBox=\"0 0 30 1\" "
                + "preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect class=\"track\" x=\"0\" y=\"0\" width=\"30\" "
                + "height=\"1\"/><rect class=\"cell\" data-kind=\"testing\" x=\"10\" y=\"0\" width=\"10\" height=\"1\""),
                html);
    }

    @Test
    void whatSendersWroteIsEscaped() {
        String html = new Chart("<b>", THREE, List.of(new Chart.Series("<img src=x onerror=alert(1)>",
                "\"><script>alert(1)</script>", "#000", new long[] {1, 1, 1})), new boolean[] {true, true, true},
                List.of(), new Chart.Strip("<i>", java.util.Arrays.asList(new Chart.Cell("</title><script>", "#fff",
                        "<svg onload=alert(1)>"), null, null)))
                .html();
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains("<img"), html);
        assertFalse(html.contains("<i>"), html);
        assertFalse(html.contains("<svg onload"), html);
        assertTrue(html.contains("data-series=\"&lt;img src=x onerror=alert(1)&gt;\""), html);
    }
}
