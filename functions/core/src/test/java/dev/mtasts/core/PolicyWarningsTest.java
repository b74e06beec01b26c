package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Lines of a policy that senders ignore without a word (§3.2): worth a warning, valid policy or not. */
class PolicyWarningsTest {

    /** §3.2: the first occurrence of a field is used; a repeat is ignored, so its author is told. */
    static Stream<Arguments> repeatedFields() {
        String head = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n";
        return Stream.of(
                Arguments.of("a small policy", head, List.of()),
                Arguments.of("mode repeated", head + "mode: testing\n",
                        List.of("line 5: \"mode:\" repeats line 2; senders use the first and ignore this one")),
                Arguments.of("max_age repeated with garbage", head + "max_age: soon\n",
                        List.of("line 5: \"max_age:\" repeats line 4; senders use the first and ignore this one")),
                Arguments.of("version repeated", "version: STSv1\nversion: STSv1\nmode: none\nmax_age: 1\n",
                        List.of("line 2: \"version:\" repeats line 1; senders use the first and ignore this one")),
                Arguments.of("extension repeated", head + "x-a: 1\nx-a: 2\n",
                        List.of("line 6: \"x-a:\" repeats line 5; senders use the first and ignore this one")),
                // mx accumulates: several lines are the rule, only the same pattern twice is worth a word
                Arguments.of("several mx", head + "mx: *.example.net\n", List.of()),
                Arguments.of("same mx twice, in another case", head + "mx: MAIL.example.com\n",
                        List.of("line 5: mx pattern \"mail.example.com\" repeats line 3")));
    }

    /** Unknown fields are extensions, ignored by senders: one close to a field name is likely a typo. */
    static Stream<Arguments> misspeltFields() {
        String head = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n";
        String typo = "unknown field \"%s:\" may be a typo of \"%s:\"; senders ignore it";
        return Stream.of(
                Arguments.of("letters swapped", head + "mdoe: testing\n", List.of("line 5: " + typo.formatted("mdoe", "mode"))),
                Arguments.of("another case", head + "Mode: testing\n", List.of("line 5: " + typo.formatted("Mode", "mode"))),
                Arguments.of("a letter added", head + "mx1: b.example\n", List.of("line 5: " + typo.formatted("mx1", "mx"))),
                Arguments.of("mode none needs no mx, so a misspelt one is only ignored", "version: STSv1\nmode: none\nmx1: a.example\nmax_age: 1\n",
                        List.of("line 3: " + typo.formatted("mx1", "mx"))),
                Arguments.of("hyphen for underscore", head + "max-age: 60\n", List.of("line 5: " + typo.formatted("max-age", "max_age"))),
                Arguments.of("underscore dropped", head + "maxage: 60\n", List.of("line 5: " + typo.formatted("maxage", "max_age"))),
                Arguments.of("two letters off a long name", head + "vresoin: STSv1\n",
                        List.of("line 5: " + typo.formatted("vresoin", "version"))),
                Arguments.of("an extension unlike any field", head + "x-report: yes\n", List.of()),
                Arguments.of("two letters off a short name", head + "mxxx: b.example\n", List.of()),
                // the field itself is missing: the problem says so, with the hint (PolicyErrorTest); no warning
                Arguments.of("the field is missing", "version: STSv1\nmdoe: enforce\nmx: a.example\nmax_age: 1\n", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"repeatedFields", "misspeltFields"})
    void warnings(String name, String policy, List<String> expected) {
        assertEquals(expected, Policy.warnings(policy).stream().map(Problem::toString).toList());
    }
}
