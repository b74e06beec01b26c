package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Duplicates are normal (retries, several rua, resends); RFC 8460 §5.6 says the JSON identifies a report, not the
 * e-mail Subject or the file name: {@code organization-name} + {@code report-id}, and for a report without
 * report-id the SHA-256 of its (decompressed) JSON. So one report is one identity however it was delivered.
 */
class IdentityTest {
    private static final String GOOGLE = "Example Search Inc.\n2026-11-15T00:00:00Z_example.com";
    private static final String NO_ID = "{\"organization-name\":\"Example NoId\",\"policies\":[]}\n";
    private static final String NULL_ID = "{\"organization-name\":\"Example NoId\",\"report-id\":null,\"policies\":[]}";
    private static final String EMPTY_ID = "{\"organization-name\":\"Example NoId\",\"report-id\":\" \",\"policies\":[]}";
    private static final String ID_THEN_NULL = "{\"report-id\":\"r-1\",\"organization-name\":\"Example Dup\",\"report-id\":null,\"policies\":[]}";

    static Stream<Arguments> identity() {
        byte[] google = Fixtures.bytes("google.json");
        return Stream.of(
                Arguments.of("JSON", google, GOOGLE),
                Arguments.of("the same JSON gzip'd", Fixtures.gzip(google), GOOGLE),
                // its Subject's Report-ID (<2026.11.15T00.00.00Z+example.com@…>) differs: the JSON wins
                Arguments.of("the same JSON in an e-mail", Fixtures.bytes("email-google-style.eml"), GOOGLE),
                Arguments.of("no report-id", Fixtures.utf8(NO_ID), "Example NoId\nsha256:" + sha256(NO_ID)),
                Arguments.of("no report-id, gzip'd", Fixtures.gzip(Fixtures.utf8(NO_ID)), "Example NoId\nsha256:" + sha256(NO_ID)),
                Arguments.of("report-id null", Fixtures.utf8(NULL_ID), "Example NoId\nsha256:" + sha256(NULL_ID)),
                Arguments.of("report-id blank", Fixtures.utf8(EMPTY_ID), "Example NoId\nsha256:" + sha256(EMPTY_ID)),
                // the digest stops at the first report-id, so a later null duplicate must not erase it
                Arguments.of("report-id, then a null duplicate", Fixtures.utf8(ID_THEN_NULL), "Example Dup\nr-1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void identity(String what, byte[] data, String identity) throws ReportException {
        assertEquals(identity, Fixtures.read(data).report().identity());
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Fixtures.utf8(s)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
