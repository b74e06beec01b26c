package dev.mtasts.reports;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.store.Notices;
import dev.mtasts.store.ReportStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reports table's stream: each report item created (one per report stored, however often it was delivered)
 * sends its metrics and, when it counts failures, its domains' alerts. The stream may hand a record over more than
 * once; {@link Notices#claim} lets one hand-over send them. A record whose alert could not be sent is handed back
 * for a retry, which sends the alert without the metrics again.
 */
public final class ReportStreamHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    private final Notices notices;
    private final Metrics metrics;
    private final Alerts alerts;
    private final Clock clock;

    /** Lambda entry point: clients built once per container. */
    public ReportStreamHandler() {
        this(new Settings(System.getenv()));
    }

    private ReportStreamHandler(Settings settings) {
        this(settings.notices(), new Metrics(System.out::println, Clock.systemUTC()), settings.alerts(),
                Clock.systemUTC());
    }

    public ReportStreamHandler(Notices notices, Metrics metrics, Alerts alerts, Clock clock) {
        this.notices = notices;
        this.metrics = metrics;
        this.alerts = alerts;
        this.clock = clock;
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        Set<String> failed = new LinkedHashSet<>();
        // per domain, the report of this batch with most failures: its alert describes that one
        Map<String, ReportStore.Counted> worst = new LinkedHashMap<>();
        Map<String, List<String>> sequences = new LinkedHashMap<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            var change = record.getDynamodb();
            if (change == null) {
                continue;
            }
            String sequence = change.getSequenceNumber();
            if (!"INSERT".equals(record.getEventName()) || change.getNewImage() == null
                    || !"report".equals(text(change.getKeys() == null ? null : change.getKeys().get("sk")))) {
                continue; // day summaries, alert bookkeeping, TTL deletions
            }
            try {
                ReportStore.Counted report = ReportStore.Counted.of(plain(change.getNewImage()));
                if (notices.claim(report, clock.instant())) {
                    metrics.stored(report);
                }
                report.domains().forEach((domain, c) -> {
                    if (c.failed() > 0) {
                        worst.merge(domain, report, (a, b) -> b.domains().get(domain).failed()
                                > a.domains().get(domain).failed() ? b : a);
                        sequences.computeIfAbsent(domain, d -> new ArrayList<>()).add(sequence);
                    }
                });
            } catch (RuntimeException | Error e) {
                log(context, LogLevel.ERROR, "report " + sequence + ": metrics not sent, retried: " + e);
                failed.add(sequence);
            }
        }
        worst.forEach((domain, report) -> {
            try {
                alerts.send(domain, report);
            } catch (RuntimeException | Error e) {
                log(context, LogLevel.ERROR, "alert for " + domain + " not sent, retried: " + e);
                failed.addAll(sequences.get(domain));
            }
        });
        if (!failed.isEmpty()) {
            metrics.noticesFailed(failed.size());
        }
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        failed.forEach(seq -> failures.add(new StreamsEventResponse.BatchItemFailure(seq)));
        return new StreamsEventResponse(failures);
    }

    /** A stream image as plain values, as {@link dev.mtasts.store.Items#toPlain} gives them for the SDK's. */
    static Map<String, Object> plain(Map<String, AttributeValue> image) {
        Map<String, Object> out = new LinkedHashMap<>();
        image.forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }

    private static Object plain(AttributeValue v) {
        if (v == null || Boolean.TRUE.equals(v.getNULL())) {
            return null;
        }
        if (v.getS() != null) {
            return v.getS();
        }
        if (v.getN() != null) {
            return new BigDecimal(v.getN());
        }
        if (v.getBOOL() != null) {
            return v.getBOOL();
        }
        if (v.getM() != null) {
            return plain(v.getM());
        }
        if (v.getL() != null) {
            List<Object> list = new ArrayList<>();
            v.getL().forEach(e -> list.add(plain(e)));
            return list;
        }
        if (v.getSS() != null) {
            return new LinkedHashSet<>(v.getSS());
        }
        return null; // binary and number sets: not in report items
    }

    private static String text(AttributeValue v) {
        return v == null ? null : v.getS();
    }
}
