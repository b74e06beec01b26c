package dev.mtasts.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CloudWatch Embedded Metric Format: one JSON object a line on standard output, which Lambda passes to CloudWatch
 * Logs unchanged and CloudWatch turns into metrics (namespace {@code MtaSts}). No library needed.
 */
public final class Emf {
    public static final String NAMESPACE = "MtaSts";
    private static final JsonFactory JSON = new JsonFactory();
    private final Consumer<String> out;
    private final Clock clock;

    public Emf(Consumer<String> out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Standard output, where Lambda picks the lines up. */
    public static Emf toStdout() {
        return new Emf(System.out::println, Clock.systemUTC());
    }

    /**
     * Writes counts under the given dimension sets ({@code []} publishes them without dimensions as well), with
     * extra properties that are logged but not dimensions.
     */
    public void put(List<List<String>> dimensionSets, Map<String, String> dimensions, Map<String, Long> counts,
            Map<String, String> properties) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            List<String> names = counts.keySet().stream().sorted().toList();
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
            for (String name : names) {
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
            for (String name : names) {
                g.writeNumberField(name, counts.get(name));
            }
            for (Map.Entry<String, String> p : properties.entrySet()) {
                g.writeStringField(p.getKey(), p.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.accept(w.toString());
    }
}
