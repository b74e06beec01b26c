package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Route53 takes TXT values as quoted strings of at most 255 characters; resolvers join them without spaces. */
class TxtRecordTest {

    static Stream<Arguments> quote() {
        String a255 = "a".repeat(255);
        return Stream.of(
                Arguments.of("v=STSv1; id=abc", "\"v=STSv1; id=abc\""),
                Arguments.of("", "\"\""),
                Arguments.of("say \"hi\"", "\"say \\\"hi\\\"\""),
                Arguments.of("back\\slash", "\"back\\\\slash\""),
                Arguments.of(a255, "\"" + a255 + "\""),
                Arguments.of(a255 + "b", "\"" + a255 + "\" \"b\""),
                Arguments.of(a255 + a255 + "bc", "\"" + a255 + "\" \"" + a255 + "\" \"bc\""),
                // The 255 limit counts the characters stored, not the escapes written.
                Arguments.of("\"".repeat(256), "\"" + "\\\"".repeat(255) + "\" \"\\\"\""));
    }

    @ParameterizedTest
    @MethodSource
    void quote(String value, String quoted) {
        assertEquals(quoted, TxtRecord.quote(value));
    }

    static Stream<Arguments> join() {
        return Stream.of(
                Arguments.of(List.of("v=STSv1; id=abc"), "v=STSv1; id=abc"),
                Arguments.of(List.of("v=STSv1; ", "id=abc"), "v=STSv1; id=abc"),
                Arguments.of(List.of("v=STSv1; id=a", "b", "c"), "v=STSv1; id=abc"),
                Arguments.of(List.of(), ""));
    }

    @ParameterizedTest
    @MethodSource
    void join(List<String> strings, String value) {
        assertEquals(value, TxtRecord.join(strings));
    }
}
