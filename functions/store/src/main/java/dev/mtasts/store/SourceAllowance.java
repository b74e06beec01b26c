package dev.mtasts.store;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * How many reports one source address may POST an hour, so that no sender can use up what the route takes for all
 * of them. A real sender sends one report per domain a day, and a few again when an answer was lost; so the default
 * of {@value #DEFAULT_PER_HOUR} is a sender reporting on every domain a region can serve (120 custom domains by
 * default) twice within the same hour.
 *
 * <p>Kept in the reports table: {@code pk = source#<address>}, {@code sk = hour#<yyyy-mm-ddThh>}, a count {@code n}
 * and {@code expires} an hour after the hour ends. One conditional update per request, before anything of the
 * request is read: the count stops at the allowance, so a flood costs one write unit a request and no more. An
 * IPv6 source counts per /64, the block a single host is given.
 */
public final class SourceAllowance {
    public static final String PER_HOUR_ENV = "REPORTS_PER_SOURCE_HOUR";
    public static final int DEFAULT_PER_HOUR = 300;
    /**
     * Refused bodies of one source kept an hour, for someone to look at why: a real sender's broken report is kept,
     * a flood of them costs no more storage than this.
     */
    public static final int REFUSED_KEPT_PER_HOUR = 10;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private final ReportStore reports;
    private final int perHour;

    public SourceAllowance(ReportStore reports, int perHour) {
        this.reports = reports;
        this.perHour = perHour;
    }

    public int perHour() {
        return perHour;
    }

    /**
     * Counts one request of {@code source} at {@code now}.
     *
     * @return true when it is within the allowance, false when the source has used its hour
     * @throws StoreUnavailableException when DynamoDB cannot say (the caller answers 503, as for any outage)
     */
    public boolean take(String source, Instant now) {
        return count(source, now, "n", perHour);
    }

    /**
     * Whether a refused body of {@code source} may be kept: the first {@link #REFUSED_KEPT_PER_HOUR} of its hour.
     */
    public boolean keepRefused(String source, Instant now) {
        return count(source, now, "kept", REFUSED_KEPT_PER_HOUR);
    }

    private boolean count(String source, Instant now, String counter, int max) {
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        try {
            DomainStore.call(() -> reports.client().updateItem(u -> u.tableName(reports.table())
                    .key(Map.of("pk", AttributeValue.fromS("source#" + sourceKey(source)),
                            "sk", AttributeValue.fromS("hour#" + hour.toString().substring(0, 13))))
                    .updateExpression("ADD #c :one SET expires = :e")
                    .conditionExpression("attribute_not_exists(#c) OR #c < :max")
                    .expressionAttributeNames(Map.of("#c", counter))
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                            ":max", AttributeValue.fromN(Integer.toString(max)),
                            ":e", AttributeValue.fromN(Long.toString(hour.plus(Duration.ofHours(2)).getEpochSecond()))))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** When the hour of {@code now} ends: a refused source may try again then. */
    public static Duration untilNextHour(Instant now) {
        return Duration.between(now, now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1)));
    }

    /**
     * The address a request is counted under: an IPv4 address as it is, an IPv6 address as its /64, anything else
     * (no address known) as {@code unknown}. Parsing a literal address asks no DNS.
     */
    public static String sourceKey(String source) {
        if (source == null || source.isBlank()) {
            return "unknown";
        }
        String s = source.strip();
        if (IPV4.matcher(s).matches()) {
            return s;
        }
        if (s.indexOf(':') >= 0 && s.length() <= 45 && IPV6.matcher(s).matches()) {
            try {
                InetAddress a = InetAddress.getByName(s);
                if (a instanceof Inet6Address) {
                    byte[] b = a.getAddress();
                    StringBuilder prefix = new StringBuilder();
                    for (int i = 0; i < 8; i += 2) {
                        prefix.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
                    }
                    return prefix.append(":/64").toString();
                }
                return a.getHostAddress(); // an IPv4-mapped address
            } catch (UnknownHostException e) {
                return "unknown";
            }
        }
        return "unknown";
    }
}
