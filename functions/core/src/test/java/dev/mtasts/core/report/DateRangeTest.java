package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8460 §4.4 date-range: what real senders write is taken, what none can write is refused naming the field. */
class DateRangeTest {
    static final String ARRIVED = "2026-11-23T10:00:00Z";

    static Stream<Arguments> ranges() {
        return Stream.of(
                Arguments.of("a day (Google, Microsoft)", "2026-11-22T00:00:00Z", "2026-11-22T23:59:59Z", ""),
                Arguments.of("a day ending at midnight (Mail.ru)", "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z", ""),
                Arguments.of("an hour", "2026-11-23T08:00:00Z", "2026-11-23T09:00:00Z", ""),
                Arguments.of("a week", "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", ""),
                Arguments.of("31 days", "2026-10-23T00:00:00Z", "2026-11-23T00:00:00Z", ""),
                Arguments.of("today's, sent before it ends (clocks differ)", "2026-11-23T00:00:00Z", "2026-11-23T23:59:59Z", ""),
                Arguments.of("a day ahead at most", "2026-11-24T00:00:00Z", "2026-11-24T10:00:00Z", ""),
                Arguments.of("no dates", null, null, ""),
                Arguments.of("only a start", "2026-11-22T00:00:00Z", null, ""),
                Arguments.of("the first day of 2018", "2018-01-01T00:00:00Z", "2018-01-01T23:59:59Z", ""),
                Arguments.of("in the year 9999", "9999-12-30T00:00:00Z", "9999-12-30T23:59:59Z",
                        "date-range.start-datetime: 9999-12-30T00:00:00Z is in the future"),
                Arguments.of("ending next year", "2026-11-22T00:00:00Z", "2027-11-22T00:00:00Z",
                        "date-range.end-datetime: 2027-11-22T00:00:00Z is in the future"),
                Arguments.of("ending a day and a second after arrival", "2026-11-24T00:00:00Z", "2026-11-24T10:00:01Z",
                        "date-range.end-datetime: 2026-11-24T10:00:01Z is in the future"),
                Arguments.of("in year 1", "0001-01-01T00:00:00Z", "0001-01-01T23:59:59Z",
                        "date-range.start-datetime: 0001-01-01T00:00:00Z is before 2018, when SMTP TLS reporting began"),
                Arguments.of("only an end, in 2017", null, "2017-12-31T23:59:59Z",
                        "date-range.end-datetime: 2017-12-31T23:59:59Z is before 2018, when SMTP TLS reporting began"),
                Arguments.of("ending before it starts", "2026-11-22T00:00:00Z", "2026-11-21T00:00:00Z",
                        "date-range.end-datetime: 2026-11-21T00:00:00Z is before the start-datetime 2026-11-22T00:00:00Z"),
                Arguments.of("32 days", "2026-10-22T00:00:00Z", "2026-11-23T00:00:00Z",
                        "date-range: 2026-10-22T00:00:00Z to 2026-11-23T00:00:00Z spans 32 days; a report covers at most 31"),
                Arguments.of("2018 to now", "2018-01-01T00:00:00Z", "2026-11-22T00:00:00Z",
                        "date-range: 2018-01-01T00:00:00Z to 2026-11-22T00:00:00Z spans 3247 days; a report covers at most 31"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void ranges(String what, String start, String end, String problem) {
        assertEquals(problem, DateRange.problem(start == null ? null : Instant.parse(start),
                end == null ? null : Instant.parse(end), Instant.parse(ARRIVED)).orElse(""));
    }
}
