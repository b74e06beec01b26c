package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8460 §5: a report arrives as JSON, gzip, or an e-mail ({@code multipart/report; report-type=tlsrpt}); what it
 * is comes from its bytes, whatever the sender declared.
 */
class ReportInputTest {
    private static final String GOOGLE_PART = "sender.example!example.com!1794700800!1794787199!001.json.gz";

    static Stream<Arguments> deliveries() {
        byte[] google = Fixtures.bytes("google.json");
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
        return Stream.of(
                delivery("JSON", google, "json", "example.com=12/0 {}", null),
                delivery("JSON after a byte-order mark and blank lines",
                        concat(bom, Fixtures.utf8("\r\n\n  "), google), "json", "example.com=12/0 {}", null),
                delivery("gzip", Fixtures.gzip(google), "gzip", "example.com=12/0 {}", null),
                delivery("email-google-style.eml (application/tlsrpt+gzip, quoted report-type)",
                        Fixtures.bytes("email-google-style.eml"), "email", "example.com=12/0 {}", GOOGLE_PART),
                // SES stores messages with CRLF line ends; the committed fixture has LF
                delivery("email-google-style.eml with CRLF",
                        Fixtures.utf8(Fixtures.text("email-google-style.eml").replace("\n", "\r\n")), "email",
                        "example.com=12/0 {}", GOOGLE_PART),
                delivery("email-unquoted-report-type.eml (octet-stream named .json.gz)",
                        Fixtures.bytes("email-unquoted-report-type.eml"), "email",
                        "example.com=25/2 {sts-policy-fetch-error=2}",
                        "sender.example!example.com!1763164800!1763251199.json.gz"),
                delivery("email-no-close-delimiter.eml", Fixtures.bytes("email-no-close-delimiter.eml"), "email",
                        "example.com=100/3 {certificate-expired=3, certificate-not-trusted=2}",
                        "sender.example!example.com!1794700800!1794787200.json.gz"),
                delivery("email-single-part.eml (application/tlsrpt+json body)", Fixtures.bytes("email-single-part.eml"),
                        "email", "example.org=3/1 {certificate-expired=1}", null),
                delivery("email-magic-only.eml (unnamed octet-stream, gzip magic)", Fixtures.bytes("email-magic-only.eml"),
                        "email", "example.net=4/0 {}; example.org=10/1 {certificate-host-mismatch=1}", null),
                delivery("email-attribution.eml", Fixtures.bytes("email-attribution.eml"), "email",
                        "example.com=20/0 {}; example.org=7/1 {}", "report.json.gz"));
    }

    private static Arguments delivery(String what, byte[] data, String format, String totals, String partName) {
        return Arguments.of(what, data, format, totals, partName);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void deliveries(String what, byte[] data, String format, String totals, String partName) throws ReportException {
        ReportReader.Received received = Fixtures.read(data);
        assertEquals(format, received.format());
        assertEquals(totals, Fixtures.describe(received.report().totalsByDomain()));
        if (format.equals("email")) {
            ReportReader.Email email = received.email();
            assertEquals(partName, email.reportFileName());
            assertEquals("TLS Reporting <noreply-smtp-tls-reporting@sender.example>", email.from());
            // the folded SES header comes through whole, and the fixtures' DKIM verdict holds
            assertEquals(1, email.authenticationResults().size());
            assertEquals(Optional.empty(), SesDkim.problem(email));
        }
    }

    /**
     * §5.3: the report part is the one whose media type says so, else the one named {@code .json.gz}/{@code .json},
     * else the first whose bytes are gzip or JSON; among equals the first. Each candidate part here holds a report
     * with its own report-id, so the id read tells which part was taken.
     */
    static Stream<Arguments> reportPart() {
        String magic = part("application/octet-stream", null, "MAGIC", true);
        String named = part("application/octet-stream", "sender.example!example.com!1794700800!1794787199.json.gz",
                "NAMED", true);
        String typed = part("application/tlsrpt+gzip", null, "TYPED", true);
        String prose = "Content-Type: text/plain\n\nThe report is attached.\n";
        return Stream.of(
                Arguments.of("media type beats file name and magic, even last", email(magic, named, typed), "TYPED"),
                Arguments.of("file name beats magic bytes, even later", email(magic, named), "NAMED"),
                Arguments.of("magic bytes when nothing else says", email(prose, magic), "MAGIC"),
                Arguments.of("of two named parts, the first",
                        email(part("application/json", "first.json", "FIRST", false), named), "FIRST"),
                Arguments.of("the media type in upper case",
                        email(prose, part("Application/TLSRPT+GZIP", null, "UPPER", true)), "UPPER"),
                // the declared type picks the part; its bytes decide whether to decompress
                Arguments.of("+json declared, gzip sent", email(part("application/tlsrpt+json", null, "GZ", true)), "GZ"),
                Arguments.of("+gzip declared, JSON sent", email(part("application/tlsrpt+gzip", null, "JS", false)), "JS"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void reportPart(String what, byte[] email, String reportId) throws ReportException {
        assertEquals(reportId, Fixtures.read(email).report().reportId());
    }

    private static String part(String type, String fileName, String reportId, boolean gzip) {
        byte[] json = Fixtures.utf8("{\"organization-name\":\"Example Sel\",\"report-id\":\"" + reportId + "\",\"policies\":["
                + "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},"
                + "\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}");
        return "Content-Type: " + type + "\n"
                + (fileName == null ? "" : "Content-Disposition: attachment; filename=\"" + fileName + "\"\n")
                + "Content-Transfer-Encoding: base64\n\n"
                + Base64.getMimeEncoder().encodeToString(gzip ? Fixtures.gzip(json) : json) + "\n";
    }

    private static byte[] email(String... parts) {
        StringBuilder s = new StringBuilder("""
                From: noreply-smtp-tls-reporting@sender.example
                To: tlsrpt@example.com
                Subject: Report Domain: example.com
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=tlsrpt; boundary="b"

                """);
        for (String p : parts) {
            s.append("--b\n").append(p);
        }
        return Fixtures.utf8(s.append("--b--\n").toString());
    }

    private static byte[] concat(byte[]... arrays) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] a : arrays) {
            out.writeBytes(a);
        }
        return out.toByteArray();
    }
}
