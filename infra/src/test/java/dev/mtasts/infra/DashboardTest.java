package dev.mtasts.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dashboard finds every domain by itself: its per-domain widgets search the {@code Domain} dimension (or group
 * the stream's log by it), and nothing in it names a domain. Its body is JSON once CloudFormation has substituted it,
 * and no two widgets overlap.
 */
class DashboardTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static String body() throws Exception {
        String template = Files.readString(ROOT.resolve("template.yaml"));
        Matcher m = Pattern.compile("  Dashboard:\\n[\\s\\S]*?DashboardBody: !Sub \\|\\n([\\s\\S]*?)\\n\\S").matcher(template);
        assertTrue(m.find(), "no Dashboard with a DashboardBody");
        return m.group(1).lines().map(l -> l.length() > 8 ? l.substring(8) : l.strip()).collect(Collectors.joining("\n"));
    }

    /** Each widget's "x y width height" and its text, from the substituted body (read with Jackson's streaming API). */
    static List<String[]> widgets(String json) throws Exception {
        List<String[]> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            int depth = 0;
            int[] box = new int[4];
            StringBuilder text = new StringBuilder();
            String field = null;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> {
                        depth--;
                        if (depth == 2 && t == JsonToken.END_OBJECT) { // the end of a widget
                            out.add(new String[] {box[0] + " " + box[1] + " " + box[2] + " " + box[3], text.toString()});
                            text.setLength(0);
                        }
                    }
                    case FIELD_NAME -> field = p.currentName();
                    case VALUE_NUMBER_INT -> {
                        if (depth == 3) {
                            int i = List.of("x", "y", "width", "height").indexOf(field);
                            if (i >= 0) {
                                box[i] = p.getIntValue();
                            }
                        }
                    }
                    case VALUE_STRING -> text.append(p.getText()).append('\n');
                    default -> { }
                }
            }
        }
        return out;
    }

    @Test
    void headlineFiguresPerDomainFromSearchesWithoutAListOfDomains() throws Exception {
        String body = body();
        Set<String> substituted = Pattern.compile("\\$\\{([^}]+)}").matcher(body).results().map(r -> r.group(1))
                .collect(Collectors.toSet());
        assertTrue(substituted.contains("ReportsStreamLogGroup"), substituted.toString());
        List<String[]> widgets = widgets(body.replaceAll("\\$\\{[^}]+}", "x"));
        assertTrue(widgets.size() >= 10, widgets.size() + " widgets");
        String headline = widgets.stream().filter(w -> w[1].contains("in this time range")).map(w -> w[1])
                .collect(Collectors.joining());
        assertTrue(headline.contains("SEARCH('{MtaSts,Domain} MetricName=\"SessionsSucceeded\"'"), headline);
        assertTrue(headline.contains("SEARCH('{MtaSts,Domain} MetricName=\"SessionsFailed\"'"), headline);
        assertTrue(widgets.stream().anyMatch(w -> w[1].contains("stats count(*) as reports, "
                + "count_distinct(Organization) as reporters") && w[1].contains("by Domain")), "reporters per domain");
        assertFalse(body.matches("(?s).*\\bexample\\.(com|org|net)\\b.*"), "the dashboard names a domain");
    }

    @Test
    void noTwoWidgetsOverlap() throws Exception {
        List<int[]> boxes = widgets(body().replaceAll("\\$\\{[^}]+}", "x")).stream()
                .map(w -> java.util.Arrays.stream(w[0].split(" ")).mapToInt(Integer::parseInt).toArray()).toList();
        for (int i = 0; i < boxes.size(); i++) {
            int[] a = boxes.get(i);
            assertTrue(a[0] + a[2] <= 24, "widget " + i + " is wider than the dashboard");
            for (int j = i + 1; j < boxes.size(); j++) {
                int[] b = boxes.get(j);
                boolean apart = a[0] + a[2] <= b[0] || b[0] + b[2] <= a[0] || a[1] + a[3] <= b[1] || b[1] + b[3] <= a[1];
                assertTrue(apart, "widgets " + i + " and " + j + " overlap");
            }
        }
        assertEquals(0, boxes.stream().filter(b -> b[2] == 0 || b[3] == 0).count(), "a widget without a size");
    }
}
