package dev.mtasts.dns;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The domains table's stream: each domain whose policy changed (created, deleted, or a different mode, mx or
 * max_age) is synced once per batch. Changes of other attributes, such as the status the sync itself writes back,
 * are skipped, so writing that status cannot loop through the stream.
 */
public final class DnsStreamHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    private static final List<String> POLICY_ATTRIBUTES = List.of(DomainRow.MODE, DomainRow.MX, DomainRow.MAX_AGE);
    private final DnsSync sync;

    public DnsStreamHandler() {
        this(DnsSettings.sync(System.getenv()));
    }

    public DnsStreamHandler(DnsSync sync) {
        this.sync = sync;
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        Map<String, List<String>> sequenceByDomain = new LinkedHashMap<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            var change = record.getDynamodb();
            if (!policyChanged(record.getEventName(), change.getOldImage(), change.getNewImage())) {
                continue;
            }
            AttributeValue key = change.getKeys() == null ? null : change.getKeys().get(DomainRow.DOMAIN);
            if (key == null || key.getS() == null) {
                continue;
            }
            sequenceByDomain.computeIfAbsent(key.getS(), d -> new ArrayList<>()).add(change.getSequenceNumber());
        }
        List<DomainName> domains = new ArrayList<>();
        for (String d : sequenceByDomain.keySet()) {
            try {
                domains.add(DomainName.parse(d));
            } catch (InvalidException e) {
                log(context, LogLevel.WARN, "row key \"" + d + "\" is not a domain name; skipped");
            }
        }
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        if (!domains.isEmpty()) {
            try {
                sync.sync(domains, null, false).forEach(r -> log(context, r.action() == DnsSync.Action.REFUSED
                        ? LogLevel.WARN : LogLevel.INFO, r.toString()));
            } catch (RuntimeException e) {
                // retried by Lambda from the first failed record; the sync is idempotent
                log(context, LogLevel.ERROR, "DNS sync of " + domains + " failed: " + e);
                sync.failed(domains.size());
                sequenceByDomain.values().stream().flatMap(List::stream)
                        .forEach(seq -> failures.add(new StreamsEventResponse.BatchItemFailure(seq)));
            }
        }
        return new StreamsEventResponse(failures);
    }

    static boolean policyChanged(String eventName, Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        if (!"MODIFY".equals(eventName)) {
            return true; // INSERT and REMOVE always matter
        }
        for (String attribute : POLICY_ATTRIBUTES) {
            if (!Objects.equals(plain(before == null ? null : before.get(attribute)),
                    plain(after == null ? null : after.get(attribute)))) {
                return true;
            }
        }
        return false;
    }

    /** A comparable form of a stream attribute value. */
    private static Object plain(AttributeValue v) {
        if (v == null) {
            return null;
        }
        if (v.getS() != null) {
            return "S:" + v.getS();
        }
        if (v.getN() != null) {
            return "N:" + new java.math.BigDecimal(v.getN()).stripTrailingZeros().toPlainString();
        }
        if (v.getL() != null) {
            return v.getL().stream().map(DnsStreamHandler::plain).toList();
        }
        return String.valueOf(v);
    }

}
