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
            v=TLSRPTv1; rua=mailto:a%21b%2Cc@example.com                  | mailto:a%21b%2Cc@example.com |
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
            v=TLSRPTv1; rua=                                              | | rua "" must be a mailto: or https: URI
            v=TLSRPTv1; rua=mailto:                                       | | has nothing after the scheme
            v=TLSRPTv1; rua=mailto:a@example.com,,                        | | rua "" must be a mailto: or https: URI
            # an unencoded ',' splits the URI in two
            v=TLSRPTv1; rua=https://r.example/report?a,b                  | | rua "b" must be a mailto: or https: URI
            v=TLSRPTv1; rua=mailto:a!b@example.com                        | | '!' must be %-encoded
            """)
    void parse(String text, String rua, String reason) throws InvalidException {
        if (reason == null) {
            assertEquals(List.of(rua.split(" ")), TlsRptRecord.parse(text).rua());
        } else {
            String message = Rejection.message(() -> TlsRptRecord.parse(text));
            assertTrue(message.contains(reason), message);
        }
    }

    /** URIs given one by one (a row, the CLI): the characters that delimit rua in the record must be %-encoded. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            https://r.example/report?a,b     | ',' must be %-encoded
            mailto:a!b@example.com           | '!' must be %-encoded
            mailto:a@example.com;x           | ';' must be %-encoded
            "mailto:a b@example.com"         | ' ' must be %-encoded
            mailto:ä@example.com             | 'ä' must be %-encoded
            a@example.com                    | must be a mailto: or https: URI
            https:                           | has nothing after the scheme
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
