package dev.mtasts.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The numbers of a verdict: as precise as a glance needs, never 0% for a failure nor 100% for all but one. */
class VerdictTest {
    @ParameterizedTest(name = "{0} of {1} is {2}")
    @CsvSource({
        "0, 1200, 0%",
        "1, 2000, under 0.1%",
        "1, 1000, 0.1%",
        "147, 49960, 0.3%",
        "3, 100, 3%",
        "47, 1000, 4.7%",
        "1, 8, 13%",
        "999, 1000, 99%",
        "1000, 1000, 100%",
        "5, 0, 0%",
    })
    void percent(long part, long whole, String expected) {
        assertEquals(expected, Verdict.percent(part, whole));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"0, reporter, 0 reporters", "1, reporter, 1 reporter", "1200, session, '1,200 sessions'"})
    void count(long n, String what, String expected) {
        assertEquals(expected, Verdict.count(n, what));
    }
}
