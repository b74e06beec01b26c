package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mta-sts report parse}: a report in plain words or as JSON; exit 1 with the reason when unusable. */
class ReportParseTest {
    static final String MICROSOFT = """
            {"organization-name":"Microsoft Corporation","date-range":{"start-datetime":"2026-11-22T00:00:00",
             "end-datetime":"2026-11-22T23:59:59"},"contact-info":"tlsrpt-noreply@microsoft.com",
             "report-id":"133456789012345678+example.com","policies":[
             {"policy":{"policy-type":"tlsa","policy-string":["[\\"3 1 1 ABCDEF\\"]"],"policy-domain":"example.com"},
              "summary":{"total-successful-session-count":90,"total-failure-session-count":10},
              "failure-details":[{"result-type":"sts-policy-fetch-error","failed-session-count":10}]},
             {"policy":{"policy-type":"sts","policy-domain":"example.com"},
              "summary":{"total-successful-session-count":90,"total-failure-session-count":10}}]}
            """;

    @TempDir
    Path dir;

    @Test
    void jsonHasEveryFieldWithUtcDatesAndNulls() throws IOException {
        Path f = dir.resolve("microsoft.json.gz");
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(f))) {
            gz.write(MICROSOFT.getBytes(StandardCharsets.UTF_8));
        }
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Cli r;
        try {
            r = Cli.run("report", "parse", f.toString(), "--json");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, r.exit(), r.err());
        assertEquals("{\"organization\":\"Microsoft Corporation\",\"report_id\":\"133456789012345678+example.com\","
                + "\"start\":\"2026-11-22T00:00:00Z\",\"end\":\"2026-11-22T23:59:59Z\","
                + "\"contact_info\":\"tlsrpt-noreply@microsoft.com\",\"format\":\"gzip\",\"policies\":["
                + "{\"type\":\"tlsa\",\"domain\":\"example.com\",\"successful\":90,\"failed\":10,\"mx_host\":[],"
                + "\"failures\":[{\"result_type\":\"sts-policy-fetch-error\",\"count\":10,\"receiving_mx\":null,"
                + "\"sending_ip\":null,\"receiving_ip\":null,\"reason\":null}]},"
                + "{\"type\":\"sts\",\"domain\":\"example.com\",\"successful\":90,\"failed\":10,\"mx_host\":[],\"failures\":[]}],"
                + "\"totals\":{\"example.com\":{\"successful\":90,\"failed\":10}}}",
                captured.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void plainWordsByDefault() throws IOException {
        Path f = dir.resolve("r.json");
        Files.writeString(f, MICROSOFT);
        Cli r = Cli.run("report", "parse", f.toString());
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("tlsa policy for example.com: 90 sessions ok, 10 failed"), r.out());
        assertTrue(r.out().contains("10 × sts-policy-fetch-error"), r.out());
        assertTrue(r.out().contains("total for example.com: 90 ok, 10 failed"), r.out());
    }

    @Test
    void anUnusableReportIsExit1WithTheField() throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"policies\":[{\"policy\":{\"policy-type\":\"sts\"},\"summary\":"
                + "{\"total-successful-session-count\":1,\"total-failure-session-count\":\"3\"}}]}");
        Cli r = Cli.run("report", "parse", f.toString());
        assertEquals(1, r.exit());
        assertEquals("mta-sts: " + f + ": policies[0].summary.total-failure-session-count: expected a number, got a string",
                r.err().strip());
    }

    @Test
    void aMissingFileIsAnIoError() {
        assertEquals(2, Cli.run("report", "parse", dir.resolve("none.json").toString()).exit());
    }

    /**
     * The sample reports of infra/samples, which the docs store and show: each is named as senders name theirs
     * (RFC 8460 §5.1: {@code sender!policy-domain!begin!end…}), with the begin and end of its date-range.
     */
    @Test
    void theSamplesAreNamedForTheDaysTheyReport() throws IOException {
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("([^!]+)!([^!]+)!(\\d+)!(\\d+)(!\\w+)?\\.json(\\.gz)?");
        java.util.List<Path> samples;
        try (var list = Files.list(Path.of("..", "..", "infra", "samples"))) {
            samples = list.sorted().toList();
        }
        assertEquals(2, samples.size(), samples.toString());
        for (Path sample : samples) {
            java.util.regex.Matcher m = name.matcher(sample.getFileName().toString());
            assertTrue(m.matches(), sample.toString());
            PrintStream saved = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Cli r;
            try {
                r = Cli.run("report", "parse", "--json", sample.toString());
            } finally {
                System.setOut(saved);
            }
            assertEquals(0, r.exit(), r.err());
            String json = captured.toString(StandardCharsets.UTF_8);
            assertTrue(json.contains("\"start\":\"" + java.time.Instant.ofEpochSecond(Long.parseLong(m.group(3))) + "\""),
                    sample + ": " + json);
            assertTrue(json.contains("\"end\":\"" + java.time.Instant.ofEpochSecond(Long.parseLong(m.group(4))) + "\""),
                    sample + ": " + json);
            assertTrue(json.contains("\"totals\":{\"" + m.group(2) + "\":"), sample + ": " + json);
        }
    }
}
