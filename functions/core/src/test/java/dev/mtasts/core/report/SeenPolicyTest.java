package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Policy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8460 §4.4: the {@code policy-string} of an {@code sts} entry is the policy the sender applied, a line a string.
 * What it says is the mode and the id this stack gives that body; nothing is guessed from anything less.
 */
class SeenPolicyTest {
    static final List<String> ENFORCE = List.of("version: STSv1", "mode: enforce", "mx: mx1.example.com", "max_age: 604800");

    static Stream<Arguments> seen() throws InvalidException {
        String enforce = Policy.parse(String.join("\r\n", ENFORCE)).id();
        return Stream.of(
                Arguments.of("an sts policy (Microsoft, Postfix)", "sts", ENFORCE, "enforce " + enforce),
                Arguments.of("the same body, the same id as the stack announces", "sts",
                        List.of("version: STSv1", "mode: enforce", "mx: mx1.example.com", "max_age: 604800", ""),
                        "enforce " + enforce),
                Arguments.of("testing", "sts", List.of("version: STSv1", "mode: testing", "mx: *.example.org",
                        "max_age: 86400"), "testing " + Policy.parse("version: STSv1\nmode: testing\nmx: *.example.org\n"
                        + "max_age: 86400").id()),
                Arguments.of("an extension does not change the id", "sts",
                        List.of("version: STSv1", "mode: enforce", "mx: mx1.example.com", "max_age: 604800", "x: y"),
                        "enforce " + enforce),
                Arguments.of("no policy-string (Mail.ru)", "sts", List.of(), "-"),
                Arguments.of("not a valid policy", "sts", List.of("version: STSv1", "mode: Enforce", "max_age: 1"), "-"),
                Arguments.of("a tlsa policy-string is not an MTA-STS policy", "tlsa",
                        List.of("[\"3 1 1 8F3B6E4C\"]"), "-"),
                Arguments.of("no-policy-found", "no-policy-found", List.of(), "-"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void seen(String what, String type, List<String> lines, String expected) {
        SeenPolicy seen = SeenPolicy.of(new PolicyResult(type, lines, "example.com", List.of(), 1, 0, List.of(), Map.of()));
        assertEquals(expected, seen == null ? "-" : seen.mode().text() + " " + seen.id());
    }
}
