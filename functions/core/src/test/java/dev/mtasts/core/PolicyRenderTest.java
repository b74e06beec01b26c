package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What we serve (one canonical body: CRLF, version, mode, mx…, max_age, extensions) and the id we announce for it
 * (§3.1: 1–32 letters or digits, changing exactly when what senders read changes).
 */
class PolicyRenderTest {

    static final String RFC_EXAMPLE = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
            + "mx: backupmx.example.com\r\nmax_age: 604800\r\n";

    static Stream<Arguments> canonical() {
        return Stream.of(
                Arguments.of(RFC_EXAMPLE, RFC_EXAMPLE),
                Arguments.of("max_age:604800\nmx:mail.example.com\nmode:enforce\nversion:STSv1",
                        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"),
                Arguments.of("version: STSv1\nx-b: 2\nmode: testing\t\nmx: MX.Example.ORG\nx-a: 1\nmax_age: 0000086400\n",
                        "version: STSv1\r\nmode: testing\r\nmx: mx.example.org\r\nmax_age: 86400\r\nx-b: 2\r\nx-a: 1\r\n"),
                Arguments.of("version: STSv1\nmode: none\nmax_age: 86400\nmode: enforce\n",
                        "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n"));
    }

    @ParameterizedTest
    @MethodSource
    void canonical(String policy, String served) throws InvalidException {
        assertEquals(served, Policy.parse(policy).render());
    }

    @ParameterizedTest
    @MethodSource("canonical")
    void renderedPolicyParsesBackToItself(String policy) throws InvalidException {
        Policy p = Policy.parse(policy);
        assertEquals(p, Policy.parse(p.render()));
    }

    @ParameterizedTest
    @MethodSource("canonical")
    void idIs32LowerCaseHexDigitsAndAValidTxtId(String policy) throws InvalidException {
        String id = Policy.parse(policy).id();
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertTrue(StsRecord.isValidId(id), id);
        assertEquals("v=STSv1; id=" + id, StsRecord.of(Policy.parse(policy)).render());
    }

    /** Spellings senders read as the same policy: announcing a new id for them would only cause needless refetches. */
    static Stream<Arguments> sameId() {
        return Stream.of(
                Arguments.of("LF instead of CRLF", RFC_EXAMPLE.replace("\r\n", "\n")),
                Arguments.of("mx in another case", RFC_EXAMPLE.replace("mail.example.com", "Mail.EXAMPLE.com")),
                Arguments.of("other white space", RFC_EXAMPLE.replace(": ", ":\t").replace("\r\n", " \r\n")),
                Arguments.of("fields in another order", "max_age: 604800\nmx: mail.example.com\nmx: *.example.net\n"
                        + "mode: enforce\nmx: backupmx.example.com\nversion: STSv1"),
                Arguments.of("leading zeros in max_age", RFC_EXAMPLE.replace("604800", "0000604800")),
                Arguments.of("a repeated field, ignored", RFC_EXAMPLE + "mode: none\r\n"),
                // senders ignore extensions and rows cannot hold them: a linted file announces the row's id
                Arguments.of("an extension", RFC_EXAMPLE + "x-report: yes\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void sameId(String change, String policy) throws InvalidException {
        assertEquals(Policy.parse(RFC_EXAMPLE).id(), Policy.parse(policy).id());
    }

    /** Any change senders act on must announce a new id, or they keep the cached policy (§3.3). */
    static Stream<Arguments> newId() {
        return Stream.of(
                Arguments.of("mode", RFC_EXAMPLE.replace("enforce", "testing")),
                Arguments.of("one mx", RFC_EXAMPLE.replace("backupmx.example.com", "backup.example.com")),
                Arguments.of("one more mx", RFC_EXAMPLE + "mx: mx3.example.com\r\n"),
                Arguments.of("max_age", RFC_EXAMPLE.replace("604800", "604801")),
                Arguments.of("mode none", RFC_EXAMPLE.replace("enforce", "none")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void newId(String change, String policy) throws InvalidException {
        assertNotEquals(Policy.parse(RFC_EXAMPLE).id(), Policy.parse(policy).id());
    }

    @Test
    void policyFromFieldsIsThePolicyFromTheFile() throws InvalidException {
        Policy fromFields = Policy.of("enforce", List.of("mail.example.com", "*.example.net", "backupmx.example.com"), "604800");
        assertEquals(Policy.parse(RFC_EXAMPLE), fromFields);
        assertEquals(RFC_EXAMPLE, fromFields.render());
    }

    /** Field values from a row or a command line: same rules as in a file, each problem prefixed by its field. */
    static Stream<Arguments> fieldProblems() {
        return Stream.of(
                Arguments.of("Enforce", List.of("mail.example.com"), "86400",
                        List.of("mode must be one of testing, enforce, none (got \"Enforce\")")),
                Arguments.of("enforce", List.of("mail.example.com", "mx.müller.example", "mail.example.com."), "86400",
                        List.of("mx[1]: \"mx.müller.example\" is not a valid mx pattern: \"müller\" is not an A-label (write internationalised labels in their xn-- form)",
                                "mx[2]: \"mail.example.com.\" is not a valid mx pattern: no trailing dot")),
                Arguments.of("testing", List.of("mail.example.com"), "31557601",
                        List.of("max_age must be at most 31557600 (one year) (got 31557601)")),
                Arguments.of("testing", List.of("mail.example.com"), "1 day",
                        List.of("max_age must be a whole number of seconds, 0 to 31557600, at most 10 digits (got \"1 day\")")),
                Arguments.of("enforce", List.of(), "86400", List.of("mode enforce needs at least one mx pattern")),
                Arguments.of("testing", null, "86400", List.of("mode testing needs at least one mx pattern")),
                Arguments.of(null, List.of("*"), null,
                        List.of("mode is missing",
                                "mx[0]: \"*\" is not a valid mx pattern: '*' is allowed only as the whole left-most label (\"*.example.com\")",
                                "max_age is missing")));
    }

    @ParameterizedTest
    @MethodSource
    void fieldProblems(String mode, List<String> mx, String maxAge, List<String> expected) {
        assertEquals(expected, Rejection.problems(() -> Policy.of(mode, mx, maxAge)));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            # mode,  max_age,  mx (space-separated)
            none,    86400,
            none,    0,
            testing, 31557600, mail.example.com
            enforce, 1,        a.example *.b.example
            """)
    void validFields(String mode, String maxAge, String mx) throws InvalidException {
        Policy p = Policy.of(mode, mx == null ? List.of() : List.of(mx.split(" ")), maxAge);
        assertEquals(Policy.parse(p.render()), p);
    }
}
