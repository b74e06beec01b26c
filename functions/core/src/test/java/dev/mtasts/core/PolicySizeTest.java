package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8461 §3.3: policy hosts SHOULD keep the body small, and strict senders (mox, postfix-tlspol,
 * postfix-mta-sts-resolver) refuse one above 64 KiB. Such a policy is invalid by every path: a file, a row, a value.
 */
class PolicySizeTest {

    /** 196 characters, so that each line "mx: …\r\n" is 202 bytes. */
    static String longPattern(int i) {
        return String.format("%03d", i) + "." + "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(56) + ".example";
    }

    static List<String> patterns(int n) {
        return IntStream.range(0, n).mapToObj(PolicySizeTest::longPattern).toList();
    }

    /** A policy of {@code bytes} bytes as written: version, mode, max_age, and an extension filling the rest. */
    static String file(int bytes, String eol) {
        String head = "version: STSv1" + eol + "mode: none" + eol + "max_age: 86400" + eol;
        return head + "x-pad: " + "a".repeat(bytes - head.length() - 7 - eol.length()) + eol;
    }

    static Stream<Arguments> files() {
        return Stream.of(
                Arguments.of("64 KiB in canonical form", file(Policy.MAX_BYTES, "\r\n"), null),
                Arguments.of("one byte over", file(Policy.MAX_BYTES + 1, "\r\n"),
                        "the policy is 65537 bytes; senders refuse bodies over 65536 bytes (64 KiB)"),
                Arguments.of("64 KiB with LF, one byte more per line once served with CRLF", file(Policy.MAX_BYTES, "\n"),
                        "the policy is 65536 bytes, but 65540 in the canonical form this stack serves (CRLF line ends,"
                                + " one space after each ':'); senders refuse bodies over 65536 bytes (64 KiB)"),
                Arguments.of("UTF-8 counts in bytes, not characters", file(Policy.MAX_BYTES - 999, "\r\n")
                        .replace("x-pad: " + "a".repeat(1000), "x-pad: " + "\u00e9".repeat(1000)), "the policy is 65537 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void files(String name, String policy, String reason) throws InvalidException {
        if (reason == null) {
            assertEquals(Policy.MAX_BYTES, Policy.parse(policy).render().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        } else {
            String message = Rejection.message(() -> Policy.parse(policy));
            assertEquals(true, message.startsWith(reason), message);
        }
    }

    /** Rows and command lines ({@link Policy#of}): the body served is what counts. */
    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(324, 65_495, null),
                Arguments.of(325, 65_697, "the policy is 65697 bytes as served; senders refuse bodies over 65536 bytes"
                        + " (64 KiB): use fewer mx patterns, or wildcards such as \"*.example.net\""),
                Arguments.of(330, 66_707, "the policy is 66707 bytes as served"));
    }

    @ParameterizedTest(name = "{0} long mx patterns: {1} bytes")
    @MethodSource
    void rows(int patterns, int bytes, String reason) throws InvalidException {
        assertEquals(bytes, 47 + patterns * 202);
        if (reason == null) {
            assertEquals(bytes, Policy.of("enforce", patterns(patterns), "86400").render().length());
        } else {
            List<String> problems = Rejection.problems(() -> Policy.of("enforce", patterns(patterns), "86400"));
            assertEquals(1, problems.size(), problems::toString);
            assertEquals(true, problems.get(0).startsWith(reason), problems::toString);
        }
    }

    /** A row of that size is never announced (nor served: the policy function reads rows by the same rule). */
    @Test
    void aRowOfThatSizeIsNeverAnnounced() {
        java.util.Map<String, Object> item = java.util.Map.of("domain", "example.com", "mode", "testing",
                "mx", patterns(330), "max_age", new java.math.BigDecimal(86400));
        Announcement decision = Announcement.decide(java.util.Optional.of(item), List.of(longPattern(0)));
        assertEquals(true, decision instanceof Announcement.Refuse r && r.reason().startsWith(
                "invalid row: the policy is 66707 bytes as served"), decision::toString);
    }

    /** The rule belongs to the value: no path can build a policy senders refuse. */
    @Test
    void theConstructorRefusesIt() throws InvalidException {
        List<MxPattern> mx = patterns(330).stream().map(MxPattern::new).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Policy(Mode.ENFORCE, mx, 86400));
        assertEquals(true, e.getMessage().startsWith("the policy is 66707 bytes as served"), e.getMessage());
    }
}
