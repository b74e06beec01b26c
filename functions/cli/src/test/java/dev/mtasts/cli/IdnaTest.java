package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Problem;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Domain names users type, as IDNA2008 (RFC 5891, UTS #46 non-transitional processing) turns them into A-labels.
 * IDNA2003 (java.net.IDN) maps ß and ς away and drops joiners, naming other domains.
 */
class IdnaTest {

    static Arguments converts(String typed, String aLabels) {
        return Arguments.of(typed, aLabels, null);
    }

    static Arguments refuses(String typed, String reason) {
        return Arguments.of(typed, null, reason);
    }

    /** RFC 5892 and UTS #46: what changes from IDNA2003, and what stays. */
    static Stream<Arguments> conversions() {
        return Stream.of(
                converts("example.com", "example.com"),
                converts("Mail.Example.COM.", "mail.example.com"),
                converts("müller.example", "xn--mller-kva.example"),
                converts("MÜLLER.Example.", "xn--mller-kva.example"),
                // deviation characters, kept by non-transitional processing (IDNA2003 gives fass.de, βόλοσ)
                converts("faß.de", "xn--fa-hia.de"),
                converts("FASS.de", "fass.de"),
                converts("βόλος.com", "xn--nxasmm1c.com"),
                converts("ΒΌΛΟΣ.com", "xn--nxasmq6b.com"),
                // a joiner where RFC 5892 Appendix A allows it: after a virama (IDNA2003 drops it)
                converts("\u0915\u094d\u200d\u0937.example", "xn--11b2ezcw70k.example"),
                converts("\u0646\u0627\u0645\u0647\u200c\u0627\u06cc.com", "xn--mgba3gch31f060k.com"),
                // UTS #46 mapping: full-width forms and ideographic full stops
                converts("ＥＸＡＭＰＬＥ.com", "example.com"),
                converts("日本。jp", "xn--wgv71a.jp"),
                converts("l\u00b7l.cat", "xn--ll-0ea.cat"),
                converts("xn--mller-kva.example", "xn--mller-kva.example"),
                converts("XN--FA-HIA.de", "xn--fa-hia.de"));
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                refuses("ab\u200dc.example", "label \"ab\u200dc\" has a zero-width joiner or non-joiner where IDNA2008 allows none"),
                refuses("a\u00b7b.example", "label \"a\u00b7b\" has a middle dot"),
                refuses("\u0301a.example", "label \"\u0301a\" starts with a combining mark"),
                refuses("xn--zz.example", "label \"xn--zz\" starts with \"xn--\" but is not valid Punycode"),
                refuses("xn--a-ecp.example", "label \"xn--a-ecp\" starts with \"xn--\" but does not decode to a valid IDNA2008 label"),
                refuses("ab--ü.example", "has \"--\" as its third and fourth characters"),
                refuses("ü-.example", "label \"ü-\" ends with a hyphen"),
                refuses("a\u00a0ü.example", "label \"a\u00a0ü\" holds U+00A0 NO-BREAK SPACE, which is not allowed in domain names"),
                refuses("ü_x.example", "holds U+005F LOW LINE, which is not allowed in domain names"),
                refuses("\u05d0a.example", "breaks the Bidi rule for right-to-left labels (RFC 5893)"),
                refuses("\u0661\u06f1.example", "mixes Arabic-Indic and extended Arabic-Indic digits"),
                refuses("ü" + "a".repeat(62) + ".example", "is longer than 63 characters in A-labels"),
                // a right-to-left label makes the Bidi rule apply to every label
                refuses("\u05d0\u05d1.1a", "with a right-to-left label in it, every label must meet the Bidi rule"),
                refuses("a_b.example", "label \"a_b\" holds U+005F LOW LINE, which is not allowed in domain names"),
                // names of letters, digits and hyphens are core's to judge, in core's words
                refuses("192.0.2.1", "the last label \"1\" is all digits"),
                refuses("-a.example", "label \"-a\" starts or ends with a hyphen"),
                refuses("localhost", "a mail domain has at least two labels"));
    }

    /** An mx pattern is typed as the domain is: the same conversion, a leading "*." kept; the rest is core's. */
    static Stream<Arguments> mxPatterns() {
        return Stream.of(
                converts("mäil.example.net", "xn--mil-qla.example.net"),
                converts("mail.example.net.", "mail.example.net"),
                converts("*.mx.müller.example.", "*.mx.xn--mller-kva.example"),
                converts("*.MX。Müller。example", "*.MX.xn--mller-kva.example"),
                converts("Mail.Example.NET", "Mail.Example.NET"),
                converts("mail*.example.com", "mail*.example.com"),
                refuses("ab\u200dc.example", "label \"ab\u200dc\" has a zero-width joiner or non-joiner"),
                refuses("*.ü_x.example", "holds U+005F LOW LINE, which is not allowed in domain names"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mxPatterns")
    void mxPattern(String typed, String aLabels, String reason) throws InvalidException {
        if (reason == null) {
            assertEquals(aLabels, Idna.mxPattern(typed));
        } else {
            InvalidException e = Assertions.assertThrows(InvalidException.class, () -> Idna.mxPattern(typed));
            String message = String.join("; ", e.problems().stream().map(Problem::message).toList());
            assertTrue(message.contains(reason), message);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"conversions", "refusals"})
    void domain(String typed, String aLabels, String reason) throws InvalidException {
        if (reason == null) {
            assertEquals(aLabels, Idna.domain(typed).value());
        } else {
            InvalidException e = Assertions.assertThrows(InvalidException.class, () -> Idna.domain(typed));
            String message = String.join("; ", e.problems().stream().map(Problem::message).toList());
            assertTrue(message.contains(reason), message);
        }
    }
}
