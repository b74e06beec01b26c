package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What senders may trip over in a policy that is valid by RFC 8461 §3.2. */
class PolicyWarningsTest {
    static Stream<Arguments> warnings() {
        String head = "version: STSv1\nmode: none\nmax_age: 86400\n";
        return Stream.of(
                Arguments.of("a small policy", head, List.of()),
                Arguments.of("exactly 64 KiB", head + "x-pad: " + "a".repeat(Policy.MAX_BYTES - head.length() - 8) + "\n",
                        List.of()),
                Arguments.of("above 64 KiB", head + "x-pad: " + "a".repeat(Policy.MAX_BYTES) + "\n",
                        List.of("the policy is 65585 bytes; common senders read at most 65536")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void warnings(String name, String policy, List<String> expected) {
        assertEquals(expected, Policy.warnings(policy));
    }
}
