package dev.mtasts.reports;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mtasts.core.report.TlsReport;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CloudWatch metrics as Embedded Metric Format log lines (namespace {@code MtaSts}), one JSON object a line on
 * standard output, where Lambda passes them to CloudWatch Logs unchanged. Every metric is also published without
 * dimensions so that stack-wide alarms work without knowing the domains.
 */
public final class Metrics {
    public static final String NAMESPACE = "MtaSts";
    private static final JsonFactory JSON = new JsonFactory();
    private final Consumer<String> out;
    private final Clock clock;

    public Metrics(Consumer<String> out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Per domain of a stored report: sessions succeeded and failed, and failed sessions by result type. */
    public void stored(TlsReport report) {
        report.totalsByDomain().forEach((domain, t) -> {
            out.accept(line(List.of(List.of("Domain"), List.of()), Map.of("Domain", domain),
                    Map.of("SessionsSucceeded", t.successful(), "SessionsFailed", t.failed()),
                    Map.of("Organization", report.organization() == null ? "" : report.organization())));
            t.failures().forEach((type, count) -> out.accept(line(List.of(List.of("Domain", "ResultType")),
                    Map.of("Domain", domain, "ResultType", type), Map.of("FailedSessions", count), Map.of())));
        });
    }

    /** One rejected delivery, by where it came from ({@code https}, {@code s3}). */
    public void rejected(String source, String reason) {
        out.accept(line(List.of(List.of("Source"), List.of()), Map.of("Source", source), Map.of("ReportsRejected", 1L),
                Map.of("Reason", reason)));
    }

    private String line(List<List<String>> dimensionSets, Map<String, String> dimensions, Map<String, Long> values,
            Map<String, String> properties) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeObjectFieldStart("_aws");
            g.writeNumberField("Timestamp", clock.millis());
            g.writeArrayFieldStart("CloudWatchMetrics");
            g.writeStartObject();
            g.writeStringField("Namespace", NAMESPACE);
            g.writeArrayFieldStart("Dimensions");
            for (List<String> set : dimensionSets) {
                g.writeStartArray();
                for (String d : set) {
                    g.writeString(d);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("Metrics");
            for (String name : values.keySet().stream().sorted().toList()) {
                g.writeStartObject();
                g.writeStringField("Name", name);
                g.writeStringField("Unit", "Count");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            for (Map.Entry<String, String> d : dimensions.entrySet()) {
                g.writeStringField(d.getKey(), d.getValue());
            }
            for (String name : values.keySet().stream().sorted().toList()) {
                g.writeNumberField(name, values.get(name));
            }
            for (Map.Entry<String, String> p : properties.entrySet()) {
                g.writeStringField(p.getKey(), p.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
