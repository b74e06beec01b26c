package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Duplicates are normal (retries, several rua, resends), and RFC 8460 §5.6 says the JSON identifies a report, not
 * the e-mail Subject or the file name. Organisation and report-id are not enough: anyone may POST a report, and real
 * ids are predictable, so a forged report sent first under a real one's id would make the real one a duplicate. A
 * report is the same report exactly when its content is the same.
 */
class IdentityTest {
    private static final String GOOGLE = Fixtures.text("google.json");

    /** Two deliveries of one report: whatever differs, the identity does not. */
    static Stream<Arguments> sameReport() {
        byte[] google = Fixtures.utf8(GOOGLE);
        return Stream.of(
                Arguments.of("gzip'd", google, Fixtures.gzip(google), null),
                // its Subject's Report-ID (<2026.11.15T00.00.00Z+example.com@…>) differs: the JSON wins
                Arguments.of("in an e-mail", google, Fixtures.bytes("email-google-style.eml"), null),
                Arguments.of("padded with white space", google,
                        Fixtures.utf8("\n\n  " + GOOGLE.replace(",", " ,\n\t").replace("\":", "\"  :  ") + "   \n\n"), null),
                Arguments.of("keys in another order", google, Fixtures.utf8(GOOGLE
                        .replace("\"organization-name\":\"Example Search Inc.\",", "")
                        .replace("\"report-id\":", "\"organization-name\":\"Example Search Inc.\",\"report-id\":")), null),
                Arguments.of("strings escaped", google, Fixtures.utf8(GOOGLE.replace("Example Search", "Example\\u0020Search")), null),
                Arguments.of("a date without its zone (read as UTC)", google,
                        Fixtures.utf8(GOOGLE.replace("2026-11-15T00:00:00Z\",\"end", "2026-11-15T00:00:00\",\"end")), null),
                Arguments.of("a policy domain in upper case", google,
                        Fixtures.utf8(GOOGLE.replace("\"policy-domain\":\"example.com\"", "\"policy-domain\":\"EXAMPLE.com.\"")), null),
                // a report naming no domain is attributed from how it came; the identity is of what the sender wrote
                Arguments.of("attributed from its file name", Fixtures.bytes("postfix.json"), Fixtures.bytes("postfix.json"),
                        "sender!example.net!1763164800!1763251199.json.gz"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void sameReport(String what, byte[] first, byte[] second, String secondFileName) throws ReportException {
        String identity = Fixtures.read(first).report().identity();
        assertEquals(identity, Fixtures.read(second, secondFileName).report().identity());
        assertTrue(identity.matches("[0-9a-f]{64}"), identity);
    }

    /** Reports that share organisation and report-id but not their content are different reports. */
    static Stream<Arguments> otherReport() {
        return Stream.of(
                Arguments.of("one session fewer", GOOGLE.replace("\"total-successful-session-count\":12", "\"total-successful-session-count\":11")),
                Arguments.of("another report-id", GOOGLE.replace("_example.com", "_example.com.2")),
                Arguments.of("another organisation", GOOGLE.replace("Example Search Inc.", "Example Search Inc")),
                Arguments.of("another day", GOOGLE.replace("2026-11-15T23:59:59Z", "2026-11-15T23:59:58Z")),
                Arguments.of("another contact", GOOGLE.replace("smtp-tls-reporting@", "tls-reporting@")),
                Arguments.of("an MX host more", GOOGLE.replace("\"mx2.example.com\"]", "\"mx2.example.com\",\"mx3.example.com\"]")),
                Arguments.of("a key this version does not know", GOOGLE.replace("{\"organization-name\"", "{\"x-note\":1,\"organization-name\"")),
                Arguments.of("a failure detail", GOOGLE.replace("\"total-failure-session-count\":0}", "\"total-failure-session-count\":0},"
                        + "\"failure-details\":[{\"result-type\":\"certificate-expired\",\"failed-session-count\":1}]")),
                Arguments.of("no contact (absent is not empty)", GOOGLE.replace("\"contact-info\":\"smtp-tls-reporting@sender.example\",", "")),
                Arguments.of("an empty contact", GOOGLE.replace("smtp-tls-reporting@sender.example", "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void otherReport(String what, String changed) throws ReportException {
        assertNotEquals(Fixtures.read(Fixtures.utf8(GOOGLE)).report().identity(),
                Fixtures.read(Fixtures.utf8(changed)).report().identity());
    }

    @org.junit.jupiter.api.Test
    void fieldsDoNotRunIntoEachOther() throws ReportException {
        // "ab" + "c" and "a" + "bc": length-prefixed, so not the same content
        String a = "{\"organization-name\":\"ab\",\"contact-info\":\"c\",\"policies\":[]}";
        String b = "{\"organization-name\":\"a\",\"contact-info\":\"bc\",\"policies\":[]}";
        assertNotEquals(Fixtures.read(Fixtures.utf8(a)).report().identity(), Fixtures.read(Fixtures.utf8(b)).report().identity());
    }
}
