package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8461 §3.2 (what an mx pattern may be) and §4.1 (which MX hosts it covers). */
class MxPatternTest {

    /** ["*."] Domain in A-labels; a null reason means valid. */
    static Stream<Arguments> validation() {
        return Stream.of(
                Arguments.of("mail.example.com", null),
                Arguments.of("*.example.net", null),
                Arguments.of("MAIL.Example.COM", null),
                Arguments.of("xn--mller-kva.example", null),
                Arguments.of("mx-1.example.com", null),
                Arguments.of("a".repeat(63) + ".example", null),
                Arguments.of("", "mx needs a host name pattern"),
                Arguments.of("*", "'*' is allowed only as the whole left-most label"),
                Arguments.of("*.*.example.com", "'*' is allowed only as the whole left-most label"),
                Arguments.of("*mail.example.com", "'*' is allowed only as the whole left-most label"),
                Arguments.of("mail*.example.com", "'*' is allowed only as the whole left-most label"),
                Arguments.of("mail.*.example.com", "'*' is allowed only as the whole left-most label"),
                Arguments.of("*.", "no trailing dot"),
                Arguments.of("mail.example.com.", "no trailing dot"),
                Arguments.of(".example.com", "empty label"),
                Arguments.of("a..example", "empty label"),
                Arguments.of("mx.müller.example", "\"müller\" is not an A-label (write internationalised labels in their xn-- form)"),
                Arguments.of("mail_1.example.com", "character '_' is not allowed in a host name"),
                Arguments.of("-mx.example.com", "starts or ends with a hyphen"),
                Arguments.of("mx-.example.com", "starts or ends with a hyphen"),
                Arguments.of("a".repeat(64) + ".example", "is longer than 63 characters"),
                Arguments.of("a.".repeat(127) + "example", "longer than 253 characters"));
    }

    /**
     * RFC 1123 §2.1: a host name never has the form of an IP address, whose last label is all digits; postfix-tlspol
     * refuses a whole policy with such a pattern. MTA-STS matches MX host names, never addresses (§4.1).
     */
    static Stream<Arguments> ipAddressShapes() {
        String reason = "is all digits, the form of an IP address, not of a host name";
        return Stream.of(
                Arguments.of("192.0.2.1", "the last label \"1\" " + reason),
                Arguments.of("*.1.2.3.4", "the last label \"4\" " + reason),
                Arguments.of("mail.example.123", "the last label \"123\" " + reason),
                Arguments.of("10.0.0.010", "the last label \"010\" " + reason),
                Arguments.of("4294967295", "the last label \"4294967295\" " + reason),
                Arguments.of("[192.0.2.1]", "an address literal is not a host name"),
                Arguments.of("[2001:db8::1]", "an address literal is not a host name"),
                Arguments.of("2001:db8::1", "character ':' is not allowed in a host name"),
                // digits elsewhere, or a top label that is not all digits, are host names
                Arguments.of("192.0.2.1.example", null),
                Arguments.of("mx1.example.c0m", null),
                Arguments.of("1.2.3.4x", null),
                Arguments.of("*.123.example", null));
    }

    @ParameterizedTest
    @MethodSource({"validation", "ipAddressShapes"})
    void validation(String pattern, String reason) throws InvalidException {
        if (reason == null) {
            // Stored in lower case: the canonical policy, and so the id, must not depend on the case users typed.
            assertEquals(pattern.toLowerCase(Locale.ROOT), MxPattern.parse(pattern).value());
            return;
        }
        String message = Rejection.message(() -> MxPattern.parse(pattern));
        assertTrue(message.contains(reason), message);
        assertThrows(IllegalArgumentException.class, () -> new MxPattern(pattern));
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            *.example.com         | mail.example.com          | true
            *.example.com         | example.com               | false
            *.example.com         | a.b.example.com           | false
            *.example.com         | .example.com              | false
            *.example.com         | mailexample.com           | false
            *.example.com         | MAIL.EXAMPLE.COM          | true
            *.EXAMPLE.com         | mail.example.com          | true
            *.example.com         | mail.example.com.         | true
            mail.example.com      | mail.example.com          | true
            mail.example.com      | Mail.Example.Com.         | true
            MAIL.example.com      | mail.EXAMPLE.com          | true
            mail.example.com      | mail.example.co           | false
            mail.example.com      | xmail.example.com         | false
            mail.example.com      | mx.mail.example.com       | false
            mail.example.com      | mail.example.com.evil     | false
            mail.example.com      | ''                        | false
            *.mx.microsoft        | tenant.h-v1.mx.microsoft  | false
            *.h-v1.mx.microsoft   | tenant.h-v1.mx.microsoft  | true
            xn--mller-kva.example | xn--mller-kva.example     | true
            xn--mller-kva.example | XN--MLLER-KVA.example.    | true
            *.xn--mller-kva.example | mx.xn--mller-kva.example | true
            # DNS gives A-labels; a U-label is no host name as DNS has it (the command line converts what users type)
            xn--mller-kva.example | müller.example            | false
            """)
    void matching(String pattern, String host, boolean covered) throws InvalidException {
        assertEquals(covered, MxPattern.parse(pattern).matches(host));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # MX hosts (space-separated)                      | not covered by mail.example.com, *.example.net
            mail.example.com                                  |
            mail.example.com. a.example.net B.EXAMPLE.NET     |
            mail.example.com a.b.example.net other.example.org | a.b.example.net other.example.org
            example.net                                       | example.net
            """)
    void uncovered(String hosts, String expected) throws InvalidException {
        Policy policy = Policy.of("enforce", List.of("mail.example.com", "*.example.net"), "86400");
        assertEquals(expected == null ? List.of() : List.of(expected.split(" ")), policy.uncovered(List.of(hosts.split(" "))));
    }
}
