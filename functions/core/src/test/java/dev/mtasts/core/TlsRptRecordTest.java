package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8460 §3: the {@code _smtp._tls} TXT record. */
class TlsRptRecordTest {

    @Test
    void renderOurEndpoint() throws InvalidException {
        String endpoint = TlsRptRecord.httpsEndpoint(DomainName.parse("Example.COM."));
        assertEquals("https://mta-sts.example.com/v1/tlsrpt", endpoint);
        assertEquals("v=TLSRPTv1; rua=https://mta-sts.example.com/v1/tlsrpt", new TlsRptRecord(List.of(endpoint)).render());
    }

    /** Microsoft delivers only to the first rua, so the order given is the order published. */
    @Test
    void renderSeveralRuaInOrder() throws InvalidException {
        TlsRptRecord r = TlsRptRecord.of(List.of("https://mta-sts.example.com/v1/tlsrpt", "mailto:tlsrpt@example.com"));
        assertEquals("v=TLSRPTv1; rua=https://mta-sts.example.com/v1/tlsrpt,mailto:tlsrpt@example.com", r.render());
        assertEquals(r, TlsRptRecord.parse(r.render()));
    }

    /** The rua URIs read from the record (space-separated here); an empty reason means valid. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            v=TLSRPTv1; rua=mailto:tlsrpt@example.com                     | mailto:tlsrpt@example.com |
            v=TLSRPTv1;rua=https://reports.example.com/v1/tlsrpt;         | https://reports.example.com/v1/tlsrpt |
            "v=TLSRPTv1 ;\trua=mailto:a@example.com , https://r.example/x" | mailto:a@example.com https://r.example/x |
            v=TLSRPTv1; rua=mailto:b@example.com,mailto:a@example.com     | mailto:b@example.com mailto:a@example.com |
            v=TLSRPTv1; rua=mailto:a%21b@example.com                      | mailto:a%21b@example.com |
            v=TLSRPTv1; rua=https://r.example/report?a%2Cb%3Bc%21          | https://r.example/report?a%2Cb%3Bc%21 |
            v=TLSRPTv1; rua=MAILTO:a@example.com                          | MAILTO:a@example.com |
            v=TLSRPTv1; rua=mailto:a@example.com; ext=1                   | mailto:a@example.com |
            v=TLSRPTv1; ext=1; rua=mailto:a@example.com                   | mailto:a@example.com |
            v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com | mailto:a@example.com |
            v=TLSRPTv1                                                    | | the record has no rua
            v=TLSRPTv1; ruA=mailto:a@example.com                          | | the record has no rua
            v=tlsrptv1; rua=mailto:a@example.com                          | | starts with "v=TLSRPTv1"
            v=TLSRPTv10; rua=mailto:a@example.com                         | | starts with "v=TLSRPTv1"
            v=TLSRPTv1; rua=tlsrpt@example.com                            | | rua "tlsrpt@example.com" must be a mailto: or https: URI
            v=TLSRPTv1; rua=http://reports.example.com/tlsrpt             | | must be a mailto: or https: URI
            v=TLSRPTv1; rua=                                              | | rua= has no URI
            v=TLSRPTv1; rua=mailto:                                       | | has nothing after the scheme
            v=TLSRPTv1; rua=mailto:a@example.com,,                        | | rua has an empty URI before ','; rua has an empty URI after its last ','
            "v=TLSRPTv1; rua= mailto:a@example.com"                       | | white space after "rua=": the first URI follows it directly
            # an unencoded ',' splits the URI in two
            v=TLSRPTv1; rua=https://r.example/report?a,b                  | | rua "b" must be a mailto: or https: URI
            v=TLSRPTv1; rua=mailto:a!b@example.com                        | | '!' must be %-encoded
            # an encoded ',' is part of the address, where RFC 5322 allows it only quoted
            v=TLSRPTv1; rua=mailto:a%2Cc@example.com                      | | the local part "a,c" is not a dot-atom
            v=TLSRPTv1; rua=mailto:%22a%2Cc%22@example.com                | mailto:%22a%2Cc%22@example.com |
            """)
    void parse(String text, String rua, String reason) throws InvalidException {
        if (reason == null) {
            assertEquals(List.of(rua.split(" ")), TlsRptRecord.parse(text).rua());
        } else {
            String message = Rejection.message(() -> TlsRptRecord.parse(text));
            assertTrue(message.contains(reason), message);
        }
    }

    /**
     * {@code tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]}, fields being
     * {@code tlsrpt-rua} or {@code tlsrpt-extension}; the shapes other implementations' test suites reject.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            v=TLSRPTv1; rua=mailto:a@example.com; !!garbage             | expected "name=value" (got "!!garbage")
            v=TLSRPTv1; rua=mailto:a@example.com; !!garbage=1           | invalid extension "!!garbage=1": a name is a letter or digit
            v=TLSRPTv1; rua=mailto:a@example.com; more=                 | invalid extension "more=": a value is one or more printable characters other than '=', ';' and space
            v=TLSRPTv1; rua=mailto:a@example.com; abcdefghijabcdefghijabcdefghijabc=1 | invalid extension "abcdefghijabcdefghijabcdefghijabc=1": a name is a letter or digit, then up to 31
            v=TLSRPTv1; rua=mailto:a@example.com;;                      | empty field: ";" at position 38 follows another ";"
            v=TLSRPTv1;; rua=mailto:a@example.com                       | empty field: ";" at position 12 follows another ";"
            v=TLSRPTv1; rua=mailto:a@example.com; garbage               | expected "name=value" (got "garbage")
            v=TLSRPTv1; rua=mailto:a@example.com; x=a=b                 | invalid extension "x=a=b"
            "v=TLSRPTv1; rua=mailto:a@example.com "                     | white space after the last field "rua=mailto:a@example.com": a TLSRPT record ends with a field or with ";"
            v=TLSRPTv1 rua=mailto:a@example.com                         | expected ";" after "v=TLSRPTv1" (got "v=TLSRPTv1 rua=mailto:a@example.com")
            v=TLSRPTv1; rua=https://r{e}port.example/x                  | rua "https://r{e}port.example/x": '{' at position 10 is not allowed in the host of a URI; it must be %-encoded
            v=TLSRPTv1; rua=https:%zz                                   | rua "https:%zz": "%zz" at position 7 is not a percent-encoding ('%' and two hex digits)
            v=TLSRPTv1; rua=mailto:abccba.com                           | rua "mailto:abccba.com": "abccba.com" has no '@': a mailto: rua names an address, local-part@domain
            # a repeated rua is ignored, yet still a field of the grammar
            v=TLSRPTv1; rua=mailto:a@example.com; rua=                  | invalid extension "rua=": a value is one or more printable characters other than '=', ';' and space (a repeated rua is ignored, but must still be well-formed)
            """)
    void grammar(String text, String reason) {
        assertEquals(List.of(reason), Rejection.problems(() -> TlsRptRecord.parse(text)).stream()
                .map(p -> p.startsWith(reason) ? reason : p).toList());
    }

    /**
     * RFC 5234 WSP is a space or a tab: other blank-looking characters are neither separators nor allowed. (Java
     * turns the escapes of the table into the characters themselves.)
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "v=TLSRPTv1;\u000brua=mailto:a@example.com"                  | U+000B LINE TABULATION at position 12
            "v=TLSRPTv1; rua=mailto:a@example.com\u001d"                 | U+001D INFORMATION SEPARATOR THREE at position 37
            "v=TLSRPTv1;\nrua=mailto:a@example.com"                      | U+000A LINE FEED (LF) at position 12
            "v=TLSRPTv1; rua=mailto:a@example.com,\u00a0mailto:b@example.com" | U+00A0 NO-BREAK SPACE at position 38
            """)
    void whiteSpace(String text, String reason) {
        assertEquals(List.of(reason + " is not allowed: a TLSRPT record holds printable ASCII, and spaces or tabs only"
                + " around \";\""), Rejection.problems(() -> TlsRptRecord.parse(text)));
    }

    /** URIs given one by one (a row, the CLI): the characters that delimit rua in the record must be %-encoded. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            https://r.example/report?a,b     | ',' must be %-encoded
            mailto:a!b@example.com           | '!' must be %-encoded
            mailto:a@example.com;x           | ';' must be %-encoded
            "mailto:a b@example.com"         | U+0020 SPACE must be %-encoded
            mailto:ä@example.com             | U+00E4 LATIN SMALL LETTER A WITH DIAERESIS must be %-encoded
            a@example.com                    | must be a mailto: or https: URI
            https:                           | has nothing after the scheme
            https://reports.example/%zz      | "%zz" at position 25 is not a percent-encoding
            """)
    void invalidRua(String uri, String reason) {
        String message = Rejection.message(() -> TlsRptRecord.of(List.of("mailto:ok@example.com", uri)));
        assertTrue(message.contains(reason), message);
        assertThrows(IllegalArgumentException.class, () -> new TlsRptRecord(List.of(uri)));
    }

    @Test
    void atLeastOneRua() {
        assertEquals(List.of("at least one rua is needed"), Rejection.problems(() -> TlsRptRecord.of(List.of())));
    }

    static Stream<Arguments> discover() {
        return Stream.of(
                Arguments.of(List.of(), "no reporting"),
                Arguments.of(List.of(List.of("v=spf1 -all"), List.of("v=STSv1; id=abc")), "no reporting"),
                Arguments.of(List.of(List.of("v=TLSRPTv1; rua=mailto:a@example.com")), "rua=[mailto:a@example.com]"),
                Arguments.of(List.of(List.of("v=TLSRPTv1; rua=mailto:a@ex", "ample.com")), "rua=[mailto:a@example.com]"),
                Arguments.of(List.of(List.of("x=1"), List.of("v=TLSRPTv1;rua=mailto:a@example.com")), "rua=[mailto:a@example.com]"),
                Arguments.of(List.of(List.of("v=TLSRPTv1; rua=mailto:a@example.com"), List.of("v=TLSRPTv10; rua=mailto:b@example.com")),
                        "rua=[mailto:a@example.com]"),
                Arguments.of(List.of(List.of("v=TLSRPTv1; rua=mailto:a@example.com"), List.of("v=TLSRPTv1; rua=mailto:b@example.com")),
                        "invalid: 2 records start with v=TLSRPTv1; senders treat that as no reporting"),
                Arguments.of(List.of(List.of("v=TLSRPTv1; rua=http://r.example/")), "invalid: must be a mailto: or https: URI"));
    }

    @ParameterizedTest
    @MethodSource
    void discover(List<List<String>> txtRecords, String expected) throws InvalidException {
        if (expected.startsWith("invalid: ")) {
            String message = Rejection.message(() -> TlsRptRecord.discover(txtRecords));
            assertTrue(message.contains(expected.substring("invalid: ".length())), message);
        } else {
            assertEquals(expected, TlsRptRecord.discover(txtRecords).map(r -> "rua=" + r.rua()).orElse("no reporting"));
        }
    }
}
