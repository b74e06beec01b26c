package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A policy without a usable {@code policy-domain} (Postfix's no-policy-found) is attributed from the delivery: the
 * file name {@code sender!policy-domain!begin!end…} (§5.1) or the e-mail's TLS-Report-Domain header; failing both it
 * is kept unattributed (null), never dropped. A domain the JSON names always wins (§5.6).
 */
class AttributionTest {
    private static final String NAMED = "sender!example.net!1763164800!1763251199.json.gz";

    /** postfix.json: a no-policy-found without domain, then an sts policy for example.com ("-" is null). */
    static Stream<Arguments> attribution() {
        byte[] postfix = Fixtures.bytes("postfix.json");
        String email = Fixtures.text("email-attribution.eml");
        return Stream.of(
                Arguments.of("no file name", postfix, null, "- example.com"),
                Arguments.of("from the file name", postfix, NAMED, "example.net example.com"),
                Arguments.of("from the file name, gzip", Fixtures.gzip(postfix), NAMED, "example.net example.com"),
                Arguments.of("from an S3 key, normalised", postfix, "incoming/2026/sender!Example.NET.!1763164800!1763251199.json",
                        "example.net example.com"),
                Arguments.of("the JSON's domain wins over the file name", postfix,
                        "sender!example.org!1763164800!1763251199.json", "example.org example.com"),
                Arguments.of("a file name without the fields", postfix, "report.json", "- example.com"),
                Arguments.of("a file name naming no valid domain", postfix, "sender!not a domain!1763164800!1763251199.json",
                        "- example.com"),
                Arguments.of("from TLS-Report-Domain", Fixtures.utf8(email), null, "example.org example.com"),
                Arguments.of("an e-mail without TLS-Report-Domain",
                        Fixtures.utf8(email.replace("TLS-Report-Domain: example.org\n", "")), null, "- example.com"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void attribution(String what, byte[] data, String fileName, String domains) throws ReportException {
        TlsReport report = Fixtures.read(data, fileName).report();
        List<String> expected = Arrays.stream(domains.split(" ")).map(d -> d.equals("-") ? null : d).toList();
        assertEquals(expected, report.policies().stream().map(PolicyResult::domain).toList());
        // whatever the attribution, the domain-less policy's sessions are counted somewhere
        assertEquals(7, report.totalsByDomain()
                .get(expected.get(0) == null ? TlsReport.UNATTRIBUTED : expected.get(0)).successful());
    }
}
