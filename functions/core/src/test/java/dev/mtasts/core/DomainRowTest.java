package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A domains-table item as DynamoDB or a JSON seed file hands it over (String, BigDecimal, List…): the same rules as a
 * policy file, with each problem named by its attribute.
 */
class DomainRowTest {

    static final List<String> MX = List.of("mail.example.com", "*.example.net");

    static Map<String, Object> row(String domain, Object mode, Object mx, Object maxAge) {
        return Map.of("domain", domain, "mode", mode, "mx", mx, "max_age", maxAge);
    }

    static BigDecimal n(String number) {
        return new BigDecimal(number);
    }

    /** Valid rows, and the canonical policy each one serves. */
    static Stream<Arguments> valid() {
        String enforce = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n";
        return Stream.of(
                Arguments.of("plain row", row("example.com", "enforce", MX, n("604800")), enforce),
                Arguments.of("unknown attributes ignored", Map.of("domain", "example.com", "mode", "enforce", "mx", MX,
                        "max_age", n("604800"), "updated_at", "2024-09-15T00:00:00Z", "revision", n("3"), "tags", Map.of()), enforce),
                Arguments.of("number stored as 604800.000", row("example.com", "enforce", MX, n("604800.000")), enforce),
                Arguments.of("number stored as 6.048E+5", row("example.com", "enforce", MX, n("6.048E+5")), enforce),
                Arguments.of("mode none without mx", Map.of("domain", "example.com", "mode", "none", "max_age", n("86400")),
                        "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n"),
                Arguments.of("dns delegated (RFC 8461 §8.2)", Map.of("domain", "example.com", "mode", "enforce", "mx", MX,
                        "max_age", n("604800"), "dns", "delegated"), enforce),
                Arguments.of("dns route53", Map.of("domain", "example.com", "mode", "enforce", "mx", MX,
                        "max_age", n("604800"), "dns", "route53"), enforce),
                Arguments.of("A-label domain", row("xn--mller-kva.example", "testing", List.of("MX.xn--mller-kva.example"), n("86401")),
                        "version: STSv1\r\nmode: testing\r\nmx: mx.xn--mller-kva.example\r\nmax_age: 86401\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void valid(String description, Map<String, ?> item, String served) throws InvalidException {
        DomainRow r = DomainRow.parse(item);
        assertEquals(item.get("domain"), r.domain().value());
        assertEquals(served, r.policy().render());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("max_age as a string", row("example.com", "enforce", MX, "604800"),
                        List.of("max_age: expected a number, got a string")),
                Arguments.of("max_age with a fraction", row("example.com", "enforce", MX, n("1.5")),
                        List.of("max_age must be a whole number of seconds, 0 to 31557600, at most 10 digits (got \"1.5\")")),
                Arguments.of("negative max_age", row("example.com", "enforce", MX, n("-1")),
                        List.of("max_age must be a whole number of seconds, 0 to 31557600, at most 10 digits (got \"-1\")")),
                Arguments.of("max_age above one year", row("example.com", "enforce", MX, n("31557601")),
                        List.of("max_age must be at most 31557600 (one year) (got 31557601)")),
                Arguments.of("mx as a string", row("example.com", "enforce", "mail.example.com", n("86400")),
                        List.of("mx: expected a list of strings, got a string")),
                Arguments.of("mx as a string set", row("example.com", "enforce", Set.of("mail.example.com"), n("86400")),
                        List.of("mx: expected a list of strings, got a set")),
                Arguments.of("mx holding a number", row("example.com", "enforce", List.of("a.example", n("1")), n("86400")),
                        List.of("mx: expected a list of strings, got a list")),
                Arguments.of("mode as a boolean", row("example.com", true, MX, n("86400")),
                        List.of("mode: expected a string, got a boolean")),
                Arguments.of("domain not lower case", row("Example.COM", "enforce", MX, n("86400")),
                        List.of("domain: \"Example.COM\" must be written as \"example.com\" (lower case, A-labels, no trailing dot)")),
                Arguments.of("domain with a trailing dot", row("example.com.", "enforce", MX, n("86400")),
                        List.of("domain: \"example.com.\" must be written as \"example.com\" (lower case, A-labels, no trailing dot)")),
                Arguments.of("domain in U-labels", row("müller.example", "enforce", MX, n("86400")),
                        List.of("domain: \"müller.example\" is not a valid domain name: \"müller\" is not an A-label (write internationalised labels in their xn-- form)")),
                Arguments.of("single-label domain", row("localhost", "enforce", MX, n("86400")),
                        List.of("domain: \"localhost\" is not a valid domain name: a mail domain has at least two labels")),
                Arguments.of("no domain", Map.of("mode", "none", "max_age", n("86400")),
                        List.of("domain: expected a string, got nothing")),
                Arguments.of("enforce without mx", Map.of("domain", "example.com", "mode", "enforce", "max_age", n("86400")),
                        List.of("mode enforce needs at least one mx pattern")),
                Arguments.of("invalid policy fields, all reported", row("example.com", "Enforce", List.of("mail.example.com."), n("86400.5")),
                        List.of("mode must be one of testing, enforce, none (got \"Enforce\")",
                                "mx[0]: \"mail.example.com.\" is not a valid mx pattern: no trailing dot",
                                "max_age must be a whole number of seconds, 0 to 31557600, at most 10 digits (got \"86400.5\")")),
                Arguments.of("dns naming a provider", Map.of("domain", "example.com", "mode", "none", "max_age", n("86400"),
                        "dns", "cloudflare"), List.of("dns: expected \"delegated\" or \"route53\", got \"cloudflare\"")),
                Arguments.of("dns in capitals", Map.of("domain", "example.com", "mode", "none", "max_age", n("86400"),
                        "dns", "Delegated"), List.of("dns: expected \"delegated\" or \"route53\", got \"Delegated\"")),
                Arguments.of("dns as a boolean", Map.of("domain", "example.com", "mode", "none", "max_age", n("86400"),
                        "dns", true), List.of("dns: expected \"delegated\" or \"route53\", got a boolean")),
                Arguments.of("only a domain", Map.of("domain", "example.com"), List.of("mode is missing", "max_age is missing")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void invalid(String description, Map<String, ?> item, List<String> expected) {
        assertEquals(expected, Rejection.problems(() -> DomainRow.parse(item)));
    }
}
