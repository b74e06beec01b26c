package dev.mtasts.core.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * RFC 8460 §4.4 {@code date-range}, as real senders write it. A report covers a day (Google, Microsoft), an hour or a
 * week (other senders), ending at most about now: the sender aggregates sessions that took place. A range no real
 * sender can write is refused, because the day a report is counted on is the day its range starts, and one forged
 * report dated in the year 9999 would otherwise stretch every page of the reports to that day.
 *
 * <ul>
 *   <li>neither end more than {@link #AHEAD} after the report arrived (clocks differ a little, time zones do not:
 *       the range is in UTC);</li>
 *   <li>nothing before {@link #FIRST}: SMTP TLS reporting did not exist before 2018 (RFC 8460 is of September
 *       2018);</li>
 *   <li>the end not before the start, and at most {@link #LONGEST} between them.</li>
 * </ul>
 * A missing end is fine (tolerant parsing): the report is then counted on the day it names, or the day it arrived.
 */
public final class DateRange {
    public static final Duration AHEAD = Duration.ofDays(1);
    public static final Instant FIRST = Instant.parse("2018-01-01T00:00:00Z");
    public static final Duration LONGEST = Duration.ofDays(31);

    private DateRange() {
    }

    /** Why a report's range is one no real sender writes, naming the field; empty when it is plausible. */
    public static Optional<String> problem(Instant start, Instant end, Instant arrived) {
        Instant latest = arrived.plus(AHEAD);
        if (start != null && start.isAfter(latest)) {
            return Optional.of("date-range.start-datetime: " + start + " is in the future");
        }
        if (end != null && end.isAfter(latest)) {
            return Optional.of("date-range.end-datetime: " + end + " is in the future");
        }
        if (start != null && start.isBefore(FIRST)) {
            return Optional.of("date-range.start-datetime: " + start + " is before 2018, when SMTP TLS reporting began");
        }
        if (end != null && end.isBefore(FIRST)) {
            return Optional.of("date-range.end-datetime: " + end + " is before 2018, when SMTP TLS reporting began");
        }
        if (start != null && end != null && end.isBefore(start)) {
            return Optional.of("date-range.end-datetime: " + end + " is before the start-datetime " + start);
        }
        if (start != null && end != null && Duration.between(start, end).compareTo(LONGEST) > 0) {
            return Optional.of("date-range: " + start + " to " + end + " spans "
                    + Duration.between(start, end).toDays() + " days; a report covers at most " + LONGEST.toDays());
        }
        return Optional.empty();
    }
}
