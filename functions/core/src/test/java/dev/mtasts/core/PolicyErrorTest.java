package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a user reads when a policy is rejected: every problem, each with its line number ("line N: reason"), or
 * without one when it concerns the whole file (a missing field). One fix-and-retry round should show all mistakes.
 */
class PolicyErrorTest {

    static Stream<Arguments> problems() {
        return Stream.of(
                Arguments.of("version: STSv1\nmx: mail.example.com\nmode: Enforce\nmax_age: 86400\n",
                        List.of("line 3: mode must be one of testing, enforce, none (got \"Enforce\")")),
                Arguments.of("version: STSv1\nmode: Enforce\nmx: mail.example.com\nmax_age: week\n",
                        List.of("line 2: mode must be one of testing, enforce, none (got \"Enforce\")",
                                "line 4: max_age must be a whole number of seconds, 0 to 31557600, at most 10 digits (got \"week\")")),
                Arguments.of("version: STSv1\nmode: testing\nmode2: enforce\n",
                        List.of("missing required field \"max_age:\"", "mode testing needs at least one mx pattern")),
                Arguments.of("version: STSv2\r\nmode: enforce\r\nmx: *.*.example.com\r\nmx: mail.example.com.\r\nmax_age: 31557601\r\n",
                        List.of("line 1: version must be STSv1 (got \"STSv2\")",
                                "line 3: \"*.*.example.com\" is not a valid mx pattern: '*' is allowed only as the whole left-most label (\"*.example.com\")",
                                "line 4: \"mail.example.com.\" is not a valid mx pattern: no trailing dot",
                                "line 5: max_age must be at most 31557600 (one year) (got 31557601)")),
                // The mis-spelt line is reported where it is, and the field it failed to set as missing.
                Arguments.of("version: STSv1\nmode : none\nmax_age: 86400\n",
                        List.of("line 2: no white space allowed before ':' (\"mode:\")")),
                Arguments.of("version: STSv1\n\nmode: none\r\nmax_age: 86400\n\n",
                        List.of("line 2: blank lines are not allowed", "line 5: blank lines are not allowed")),
                Arguments.of("hello world",
                        List.of("line 1: expected \"name: value\" (got \"hello world\")", "missing required field \"version:\"",
                                "missing required field \"mode:\"", "missing required field \"max_age:\"")),
                Arguments.of("", List.of("the policy is empty")),
                // a misspelt field name is an unknown field, ignored: the field it was meant to be is missing
                Arguments.of("version: STSv1\nmdoe: enforce\nmx: mail.example.com\nmax_age: 86400\n",
                        List.of("missing required field \"mode:\" (line 2 has \"mdoe:\", which may be a typo of \"mode:\")")),
                Arguments.of("verison: STSv1\nmode: none\nmax-age: 86400\n",
                        List.of("missing required field \"version:\" (line 1 has \"verison:\", which may be a typo of \"version:\")",
                                "missing required field \"max_age:\" (line 3 has \"max-age:\", which may be a typo of \"max_age:\")")),
                Arguments.of("version: STSv1\nmode: enforce\nmx1: mail.example.com\nmax_age: 86400\n",
                        List.of("mode enforce needs at least one mx pattern (line 3 has \"mx1:\", which may be a typo of \"mx:\")")));
    }

    @ParameterizedTest
    @MethodSource
    void problems(String policy, List<String> expected) {
        assertEquals(expected, Rejection.problems(() -> Policy.parse(policy)));
    }

    @Test
    void problemsCarryTheirLineAndTheExceptionMessageListsThemAll() {
        InvalidException e = assertThrows(InvalidException.class,
                () -> Policy.parse("version: STSv1\nmode: Enforce\nmx: mail.example.com\nmax_age: week\n"));
        assertEquals(List.of(2, 4), e.problems().stream().map(Problem::line).toList());
        assertEquals("line 2: mode must be one of testing, enforce, none (got \"Enforce\"); line 4: max_age must be a whole number"
                + " of seconds, 0 to 31557600, at most 10 digits (got \"week\")", e.getMessage());
    }

    @Test
    void longValuesAreShortenedInMessages() {
        String value = "v".repeat(200);
        String message = Rejection.message(() -> Policy.parse("version: " + value + "\nmode: none\nmax_age: 1\n"));
        assertEquals("line 1: version must be STSv1 (got \"" + "v".repeat(57) + "...\")", message);
    }
}
