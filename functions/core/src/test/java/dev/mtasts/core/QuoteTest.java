package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Client text in a log line: one line, nothing a terminal acts on, nothing that reads as another line. */
class QuoteTest {

    static Stream<Arguments> escaped() {
        return Stream.of(
                Arguments.of("example.com", "example.com"),
                Arguments.of("b\u00fccher.example", "b\u00fccher.example"),
                Arguments.of("a\r\n2026-01-01T00:00:00Z info  forged", "a\\r\\n2026-01-01T00:00:00Z info  forged"),
                Arguments.of("tab\there", "tab\\there"),
                Arguments.of("\u001b[2J\u001b]0;title\u0007", "\\x1b[2J\\x1b]0;title\\x07"),
                Arguments.of("nul\u0000", "nul\\x00"),
                Arguments.of("del\u007f", "del\\x7f"),
                Arguments.of("c1\u009b31m", "c1\\u009b31m"),
                Arguments.of("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
                Arguments.of("\u202egnp.exe", "\\u202egnp.exe"),
                Arguments.of("a\\x1b", "a\\\\x1b"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource
    void escaped(String text, String logged) {
        assertEquals(logged, Quote.escaped(text, 100));
    }

    @ParameterizedTest(name = "[{index}] {0} characters")
    @MethodSource
    void cut(int max, String text, String logged) {
        assertEquals(logged, Quote.escaped(text, max));
    }

    static Stream<Arguments> cut() {
        return Stream.of(
                Arguments.of(5, "abcde", "abcde"),
                Arguments.of(5, "abcdef", "abcde…"),
                Arguments.of(3, "\n\n\n\n", "\\n\\n\\n…"),
                Arguments.of(2, "a\ud83d\udce7", "a…"),
                Arguments.of(3, "a\ud83d\udce7", "a\ud83d\udce7"));
    }
}
