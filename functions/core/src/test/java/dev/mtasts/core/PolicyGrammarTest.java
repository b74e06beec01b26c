package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8461 §3.2: which policy files senders accept, and what they read from them. */
class PolicyGrammarTest {

    /** A valid verdict has a mode; an invalid one has the reason a user must read (a fragment of the problems). */
    record Verdict(String mode, long maxAge, List<String> mx, String reason) {
        @Override
        public String toString() {
            return reason == null ? "valid" : "invalid";
        }
    }

    static Arguments ok(String name, String policy, String mode, long maxAge, String... mx) {
        return Arguments.of(name, policy, new Verdict(mode, maxAge, List.of(mx), null));
    }

    static Arguments bad(String name, String policy, String reason) {
        return Arguments.of(name, policy, new Verdict(null, 0, List.of(), reason));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource({"conformanceVectors", "lineTerminators", "maxAgeDigits", "whiteSpace", "fieldNames",
            "repeatedFields", "mxPatterns", "encoding"})
    void parse(String name, String policy, Verdict expected) throws InvalidException {
        if (expected.reason() != null) {
            String message = Rejection.message(() -> Policy.parse(policy));
            assertTrue(message.contains(expected.reason()), () -> "expected \"" + expected.reason() + "\" in: " + message);
            return;
        }
        Policy p = Policy.parse(policy);
        assertAll(
                () -> assertEquals(expected.mode(), p.mode().text()),
                () -> assertEquals(expected.mx(), p.mx().stream().map(MxPattern::value).toList()),
                () -> assertEquals(expected.maxAge(), p.maxAge()));
    }

    /** Conformance vectors of RFC 8461 §3.2 (with errata 6253 and 7282): valid policies and what they say. */
    static Stream<Arguments> conformanceVectors() {
        return Stream.of(
                ok("rfc example, CRLF", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n",
                        "enforce", 604800, "mail.example.com", "*.example.net", "backupmx.example.com"),
                ok("LF line endings", "version: STSv1\nmode: testing\nmx: mx1.example.com\nmx: mx2.example.com\nmax_age: 1296000\n",
                        "testing", 1296000, "mx1.example.com", "mx2.example.com"),
                ok("no final line ending", "version: STSv1\nmode: enforce\nmx: mail.example.org\nmax_age: 86400",
                        "enforce", 86400, "mail.example.org"),
                ok("no space after colon", "version:STSv1\nmode:enforce\nmx:mail.example.org\nmax_age:86400\n",
                        "enforce", 86400, "mail.example.org"),
                ok("trailing whitespace ignored", "version: STSv1\nmode: enforce \nmx: *.example.com\t\nmax_age: 0 \n",
                        "enforce", 0, "*.example.com"),
                ok("mode none needs no mx", "version: STSv1\nmode: none\nmax_age: 86400\n",
                        "none", 86400),
                ok("max_age upper bound", "version: STSv1\nmode: testing\nmx: a.example\nmax_age: 31557600\n",
                        "testing", 31557600, "a.example"),
                ok("first occurrence wins", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\nmode: none\r\n",
                        "enforce", 604800, "mail.example.com"),
                ok("extension ignored", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\nx-report: safe-value\r\n",
                        "enforce", 604800, "mail.example.com"),
                bad("empty", "", "the policy is empty"),
                bad("garbage", "hello world\n", "line 1: expected \"name: value\" (got \"hello world\")"),
                bad("missing version", "mode: enforce\nmx: mail.example.com\nmax_age: 86400\n", "missing required field \"version:\""),
                bad("missing mode", "version: STSv1\nmx: mail.example.com\nmax_age: 86400\n", "missing required field \"mode:\""),
                bad("missing max_age", "version: STSv1\nmode: enforce\nmx: mail.example.com\n", "missing required field \"max_age:\""),
                bad("unknown mode", "version: STSv1\nmode: reject\nmx: mail.example.com\nmax_age: 86400\n",
                        "line 2: mode must be one of testing, enforce, none (got \"reject\")"),
                bad("mode is case-sensitive", "version: STSv1\nmode: ENFORCE\nmx: mail.example.com\nmax_age: 86400\n",
                        "line 2: mode must be one of testing, enforce, none (got \"ENFORCE\")"),
                bad("enforce without mx", "version: STSv1\nmode: enforce\nmax_age: 86400\n", "mode enforce needs at least one mx pattern"),
                bad("max_age above one year", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 31557601\n",
                        "line 4: max_age must be at most 31557600"),
                bad("max_age not a number", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: week\n",
                        "line 4: max_age must be a whole number"),
                bad("negative max_age", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: -1\n",
                        "line 4: max_age must be a whole number"),
                bad("blank line", "version: STSv1\n\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n", "line 2: blank lines are not allowed"),
                bad("wildcard not whole left label", "version: STSv1\nmode: enforce\nmx: mail*.example.com\nmax_age: 86400\n",
                        "line 3: \"mail*.example.com\" is not a valid mx pattern: '*' is allowed only as the whole left-most label"),
                bad("wildcard in the middle", "version: STSv1\nmode: enforce\nmx: mail.*.example.com\nmax_age: 86400\n",
                        "line 3: \"mail.*.example.com\" is not a valid mx pattern: '*' is allowed only as the whole left-most label"),
                bad("empty mx", "version: STSv1\nmode: enforce\nmx:\nmax_age: 86400\n", "line 3: mx needs a host name pattern"),
                bad("space before colon", "version: STSv1\nmode : enforce\nmx: mail.example.com\nmax_age: 86400\n",
                        "line 2: no white space allowed before ':'"),
                bad("wrong version", "version: STSv2\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n",
                        "line 1: version must be STSv1 (got \"STSv2\")"));
    }

    /** sts-policy-term = LF / CRLF (erratum 6253): no bare CR and no empty line, not even at the end. */
    static Stream<Arguments> lineTerminators() {
        return Stream.of(
                ok("mixed LF and CRLF", "version: STSv1\r\nmode: testing\nmx: mail.example.com\r\nmax_age: 86400\n",
                        "testing", 86400, "mail.example.com"),
                ok("CRLF without a final line ending", "version: STSv1\r\nmode: none\r\nmax_age: 86400", "none", 86400),
                bad("bare CR as a line ending", "version: STSv1\rmode: none\rmax_age: 86400\r", "line 1: bare CR"),
                bad("CR at the very end without LF", "version: STSv1\nmode: none\nmax_age: 86400\r", "line 3: bare CR"),
                bad("blank line after the last field", "version: STSv1\nmode: none\nmax_age: 86400\n\n",
                        "line 4: blank lines are not allowed"),
                bad("blank CRLF line after the last field", "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n\r\n",
                        "line 4: blank lines are not allowed"),
                bad("line of white space only", "version: STSv1\n \nmode: none\nmax_age: 86400\n",
                        "line 2: expected \"name: value\""));
    }

    /** max_age = 1*10(DIGIT) (erratum 7282), at most 31557600. */
    static Stream<Arguments> maxAgeDigits() {
        String head = "version: STSv1\nmode: none\nmax_age: ";
        return Stream.of(
                ok("10 digits with leading zeros", head + "0000086400\n", "none", 86400),
                ok("one digit", head + "7\n", "none", 7),
                bad("11 digits, even if the value is small", head + "00000086400\n", "line 3: max_age must be a whole number"),
                bad("plus sign", head + "+86400\n", "line 3: max_age must be a whole number"),
                bad("decimal point", head + "86400.0\n", "line 3: max_age must be a whole number"),
                bad("space inside the number", head + "86 400\n", "line 3: max_age must be a whole number"),
                bad("no value", head + "\n", "line 3: max_age must be a whole number"),
                bad("10 digits above one year", head + "9999999999\n", "line 3: max_age must be at most 31557600"));
    }

    /** *WSP after the colon and at the end of a line; none at the start of a line or before the colon. */
    static Stream<Arguments> whiteSpace() {
        return Stream.of(
                ok("tab after colon", "version:\tSTSv1\nmode:\tenforce\nmx:\tmail.example.com\nmax_age:\t86400\n",
                        "enforce", 86400, "mail.example.com"),
                ok("spaces and tabs after colon", "version: \t STSv1\nmode:  none\nmax_age: \t86400\n", "none", 86400),
                bad("leading space on a line", "version: STSv1\n mode: none\nmax_age: 86400\n", "line 2: a line must start with a field name"),
                bad("leading tab on a line", "\tversion: STSv1\nmode: none\nmax_age: 86400\n", "line 1: a line must start with a field name"),
                bad("tab before colon", "version: STSv1\nmode\t: none\nmax_age: 86400\n",
                        "line 2: no white space allowed before ':' (\"mode:\")"));
    }

    /** Field names are case-sensitive; unknown names are extensions and must still match the extension grammar. */
    static Stream<Arguments> fieldNames() {
        String head = "version: STSv1\nmode: none\nmax_age: 86400\n";
        return Stream.of(
                bad("\"Mode\" is not \"mode\"", "version: STSv1\nMode: enforce\nmx: mail.example.com\nmax_age: 86400\n",
                        "missing required field \"mode:\" (found \"Mode:\"; field names are case-sensitive)"),
                bad("\"VERSION\" is not \"version\"", "VERSION: STSv1\nmode: none\nmax_age: 86400\n",
                        "missing required field \"version:\" (found \"VERSION:\"; field names are case-sensitive)"),
                ok("extension name with digits, '.', '-' and '_'", head + "x.report-v2_a: yes\n", "none", 86400),
                ok("extension value with inner spaces and UTF-8", head + "x-note: managed by Ünit 42\n", "none", 86400),
                bad("extension name with '!'", head + "x!report: yes\n", "line 4: \"x!report\" is not a valid field name"),
                bad("extension name starting with '_'", head + "_private: yes\n", "line 4: \"_private\" is not a valid field name"),
                bad("extension name of 33 characters", head + "x".repeat(33) + ": yes\n", "is not a valid field name"),
                bad("extension without a value", head + "x-report:\n", "line 4: \"x-report:\" has no value"),
                bad("control character in an extension value", head + "x-report: a\u0001b\n",
                        "line 4: control character U+0001 in the value of \"x-report:\""));
    }

    /**
     * §3.2: the first occurrence of a field is used, even when a later one would not parse as that field; mx
     * accumulates. Every line is still a line of the grammar: a later one must be at least a valid extension.
     */
    static Stream<Arguments> repeatedFields() {
        String head = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n";
        return Stream.of(
                ok("second max_age is garbage", "version: STSv1\nmode: none\nmax_age: 86400\nmax_age: soon\n", "none", 86400),
                ok("second version is wrong", "version: STSv1\nmode: none\nversion: STSv2\nmax_age: 86400\n", "none", 86400),
                ok("second mode is another valid mode", head + "mode: none\n", "enforce", 86400, "mail.example.com"),
                bad("second mode has no value", head + "mode:\n",
                        "line 5: \"mode:\" has no value (a repeated field is ignored, but must still be well-formed)"),
                bad("second mode is only white space", head + "mode: \t \n", "line 5: \"mode:\" has no value"),
                bad("second max_age holds a control character", head + "max_age: 1\u0007\n",
                        "line 5: control character U+0007 in the value of \"max_age:\""),
                bad("second version holds a form feed", head + "version: STS\fv1\n",
                        "line 5: control character U+000C in the value of \"version:\""),
                bad("second extension has no value", head + "x-a: 1\nx-a:\n", "line 6: \"x-a:\" has no value"),
                ok("mx lines accumulate in order", "version: STSv1\nmode: testing\nmx: b.example\nmax_age: 60\nmx: a.example\n",
                        "testing", 60, "b.example", "a.example"),
                bad("first mode is invalid, a later valid one does not rescue it",
                        "version: STSv1\nmode: Enforce\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n",
                        "line 2: mode must be one of testing, enforce, none (got \"Enforce\")"));
    }

    /** mx = ["*."] Domain in A-labels; "*" only as the whole left-most label. */
    static Stream<Arguments> mxPatterns() {
        return Stream.of(
                ok("mx in upper case is read in lower case", "version: STSv1\nmode: enforce\nmx: MAIL.Example.COM\nmax_age: 60\n",
                        "enforce", 60, "mail.example.com"),
                ok("A-label", "version: STSv1\nmode: enforce\nmx: mx.xn--mller-kva.example\nmax_age: 60\n",
                        "enforce", 60, "mx.xn--mller-kva.example"),
                bad("U-label", "version: STSv1\nmode: enforce\nmx: mx.müller.example\nmax_age: 60\n",
                        "line 3: \"mx.müller.example\" is not a valid mx pattern: \"müller\" is not an A-label"),
                bad("trailing dot", "version: STSv1\nmode: enforce\nmx: mail.example.com.\nmax_age: 60\n", "no trailing dot"),
                bad("two wildcard labels", "version: STSv1\nmode: enforce\nmx: *.*.example.com\nmax_age: 60\n",
                        "'*' is allowed only as the whole left-most label"),
                bad("wildcard alone", "version: STSv1\nmode: enforce\nmx: *\nmax_age: 60\n",
                        "'*' is allowed only as the whole left-most label"),
                bad("two patterns on one line", "version: STSv1\nmode: enforce\nmx: a.example b.example\nmax_age: 60\n",
                        "character ' ' is not allowed in a host name"));
    }

    /** Senders read bytes: a BOM is part of the first field name (the size limit is PolicySizeTest's). */
    static Stream<Arguments> encoding() {
        return Stream.of(
                bad("UTF-8 byte-order mark", "\uFEFFversion: STSv1\nmode: none\nmax_age: 86400\n", "line 1: byte-order mark"),
                // ABNF CTL is %x00-1F and %x7F; C1 code points are ordinary UTF8-2
                ok("C1 character in an extension value", "version: STSv1\nmode: none\nmax_age: 86400\nx-e: a\u0085b\n",
                        "none", 86400));
    }

    static Stream<Arguments> extensions() {
        String head = "version: STSv1\nmode: none\nmax_age: 86400\n";
        return Stream.of(
                Arguments.of(head, List.of()),
                Arguments.of(head + "x-report: safe-value\n", List.of("x-report: safe-value")),
                Arguments.of("version: STSv1\nb-ext: 2\nmode: none\na-ext: 1\nmax_age: 86400\nb-ext: 3\n", List.of("b-ext: 2", "a-ext: 1")),
                Arguments.of(head + "Mode: enforce\n", List.of("Mode: enforce")));
    }

    /** Unknown fields are ignored by senders but kept, first occurrence in file order, so re-rendering loses nothing. */
    @ParameterizedTest
    @MethodSource
    void extensions(String policy, List<String> expected) throws InvalidException {
        Map<String, String> actual = Policy.parse(policy).extensions();
        assertEquals(expected, actual.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
    }
}
