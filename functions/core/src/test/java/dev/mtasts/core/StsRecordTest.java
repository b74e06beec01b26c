package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8461 §3.1: the {@code _mta-sts} TXT record. */
class StsRecordTest {

    @Test
    void render() {
        assertEquals("v=STSv1; id=abc", new StsRecord("abc").render());
        assertEquals("v=STSv1; id=20160831085700Z; ext=1", new StsRecord("20160831085700Z", Map.of("ext", "1")).render());
    }

    /** The id is read from the record; an empty reason means valid. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            v=STSv1; id=abc                                   | abc |
            v=STSv1;id=abc;                                   | abc |
            v=STSv1 ; id=abc                                  | abc |
            "v=STSv1;\tid=abc\t;\t"                           | abc |
            v=STSv1; id=20160831085700Z                       | 20160831085700Z |
            v=STSv1; id=abcdefghijABCDEFGHIJ0123456789ab      | abcdefghijABCDEFGHIJ0123456789ab |
            v=STSv1; id=abc; ext.v2_x-y=a+b/c                 | abc |
            v=STSv1; ext=1; id=abc                            | abc |
            v=STSv1; id=abc; id=def                           | abc |
            # a later id is only a repeat: the first one wins, even over one that would not parse
            v=STSv1; id=abc; id=a+b                           | abc |
            v=STSv1                                           |     | the record has no id
            v=STSv1;                                          |     | the record has no id
            v=STSv1; ID=abc                                   |     | the record has no id
            v=stsv1; id=a                                     |     | starts with "v=STSv1"
            " v=STSv1; id=abc"                                |     | starts with "v=STSv1"
            id=abc; v=STSv1                                   |     | starts with "v=STSv1"
            v=STSv1 id=abc                                    |     | expected ";" after "v=STSv1" (got "v=STSv1 id=abc")
            v=STSv10; id=abc                                  |     | starts with "v=STSv1"
            # ids seen in the wild: base64, UUID, ISO timestamp, SHA-1 hex, and the limits
            v=STSv1; id=ab+c/d==                              |     | id must be 1 to 32 letters or digits (got "ab+c/d==")
            v=STSv1; id=2a8c3c5e-1f0a-4a6c-9d3e-8f8b6a1c2d3e  |     | id must be 1 to 32 letters or digits
            v=STSv1; id=2024-09-15T00:00:00Z                  |     | id must be 1 to 32 letters or digits
            v=STSv1; id=da39a3ee5e6b4b0d3255bfef95601890afd80709 | | id must be 1 to 32 letters or digits
            v=STSv1; id=abcdefghijABCDEFGHIJ0123456789abc     |     | id must be 1 to 32 letters or digits
            v=STSv1; id=                                      |     | id must be 1 to 32 letters or digits (got "")
            v=STSv1; id=a+b; id=abc                           |     | id must be 1 to 32 letters or digits (got "a+b")
            v=STSv1; id=abc;;                                 |     | empty field: ";" at position 17 follows another ";"
            v=STSv1;; id=abc                                  |     | empty field: ";" at position 9 follows another ";"
            v=STSv1; id=abc; x=a=b                            |     | invalid extension "x=a=b": a value is one or more printable characters other than '=', ';' and space
            v=STSv1; id=abc; _x=1                             |     | invalid extension "_x=1": a name is a letter or digit
            v=STSv1; id=abc; x=                               |     | invalid extension "x=": a value is one or more
            v=STSv1; id=abc; =1                               |     | invalid extension "=1": a name is a letter or digit
            v=STSv1; id=abc; x                                |     | expected "name=value" (got "x")
            v=STSv1; id=abc; abcdefghijabcdefghijabcdefghijabc=1 | | invalid extension "abcdefghijabcdefghijabcdefghijabc=1": a name
            v=STSv1; id=abc; abcdefghijabcdefghijabcdefghijab=1 | abc |
            # a repeated id is ignored, yet still a field of the grammar
            v=STSv1; id=abc; id=                              |     | invalid extension "id=": a value is one or more printable characters other than '=', ';' and space (a repeated id is ignored, but must still be well-formed)
            """)
    void parse(String text, String id, String reason) throws InvalidException {
        if (reason == null) {
            assertEquals(id, StsRecord.parse(text).id());
        } else {
            String message = Rejection.message(() -> StsRecord.parse(text));
            assertTrue(message.contains(reason), message);
        }
    }

    /**
     * {@code sts-field-delim = *WSP ";" *WSP}, and RFC 5234 WSP is a space or a horizontal tab, nothing else: no
     * white space ends the record unless a ';' comes first, and no other character that looks blank is a separator.
     */
    static Stream<Arguments> whiteSpace() {
        String notAllowed = " is not allowed: an MTA-STS record holds printable ASCII, and spaces or tabs only around \";\"";
        return Stream.of(
                Arguments.of("spaces and tabs around ';'", "v=STSv1 \t; \tid=abc \t;\t ", null),
                Arguments.of("trailing space", "v=STSv1; id=policy1 ",
                        "white space after the last field \"id=policy1\": an MTA-STS record ends with a field or with \";\""),
                Arguments.of("trailing tab", "v=STSv1; id=policy1\t",
                        "white space after the last field \"id=policy1\": an MTA-STS record ends with a field or with \";\""),
                Arguments.of("vertical tab for a space", "v=STSv1;\u000bid=abc", "U+000B LINE TABULATION at position 9" + notAllowed),
                Arguments.of("group separator at the end", "v=STSv1; id=abc\u001d", "U+001D INFORMATION SEPARATOR THREE at position 16" + notAllowed),
                Arguments.of("line feed at the end", "v=STSv1; id=policy1\n", "U+000A LINE FEED (LF) at position 20" + notAllowed),
                Arguments.of("line break between fields", "v=STSv1;\r\nid=abc", "U+000D CARRIAGE RETURN (CR) at position 9" + notAllowed),
                Arguments.of("no-break space", "v=STSv1;\u00a0id=abc", "U+00A0 NO-BREAK SPACE at position 9" + notAllowed),
                Arguments.of("form feed before ';'", "v=STSv1\f; id=abc", "U+000C FORM FEED (FF) at position 8" + notAllowed),
                Arguments.of("NUL inside the id", "v=STSv1; id=ab\u0000c", "U+0000 NULL at position 15" + notAllowed),
                Arguments.of("space inside the id", "v=STSv1; id=ab c", "id must be 1 to 32 letters or digits (got \"ab c\")"),
                Arguments.of("space after '='", "v=STSv1; id= abc", "id must be 1 to 32 letters or digits (got \" abc\")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void whiteSpace(String name, String text, String reason) throws InvalidException {
        if (reason == null) {
            assertEquals("abc", StsRecord.parse(text).id());
        } else {
            assertEquals(List.of(reason), Rejection.problems(() -> StsRecord.parse(text)));
        }
    }

    @Test
    void extensionsAreKeptAndRenderedBack() throws InvalidException {
        StsRecord r = StsRecord.parse("v=STSv1;id=abc;ext.v2_x-y=a+b/c;");
        assertEquals(Map.of("ext.v2_x-y", "a+b/c"), r.extensions());
        assertEquals("v=STSv1; id=abc; ext.v2_x-y=a+b/c", r.render());
    }

    @ParameterizedTest
    @CsvSource({"abc", "A1", "abcdefghijABCDEFGHIJ0123456789ab"})
    void validIds(String id) {
        assertTrue(StsRecord.isValidId(id));
        assertEquals(new StsRecord(id), new StsRecord(id));
    }

    @ParameterizedTest
    @CsvSource(quoteCharacter = '"', value = {"\"\"", "a+b", "a/b", "a-b", "a:b", "a_b", "a b", "é", "abcdefghijABCDEFGHIJ0123456789abc"})
    void invalidIds(String id) {
        assertEquals(false, StsRecord.isValidId(id));
        assertThrows(IllegalArgumentException.class, () -> new StsRecord(id));
    }

    /** All TXT records at _mta-sts.<domain>, each as its strings, and what a sender concludes. */
    static Stream<Arguments> discover() {
        return Stream.of(
                Arguments.of(List.of(), "no policy"),
                Arguments.of(List.of(List.of("google-site-verification=abc"), List.of("v=spf1 -all")), "no policy"),
                Arguments.of(List.of(List.of("V=STSv1; id=abc")), "no policy"),
                Arguments.of(List.of(List.of("v=STSv1; id=abc")), "id=abc"),
                Arguments.of(List.of(List.of("v=STSv1; ", "id=abc")), "id=abc"),
                Arguments.of(List.of(List.of("v=STSv1; id=ab", "c")), "id=abc"),
                Arguments.of(List.of(List.of("v=spf1 -all"), List.of("v=STSv1; id=abc"), List.of("x=1")), "id=abc"),
                Arguments.of(List.of(List.of("v=STSv1 ; id=abc")), "id=abc"),
                // Only records beginning with "v=STSv1;" count: not a longer token, not the version alone.
                Arguments.of(List.of(List.of("v=STSv1; id=abc"), List.of("v=STSv10; id=def")), "id=abc"),
                Arguments.of(List.of(List.of("v=STSv1"), List.of("v=STSv1; id=abc")), "id=abc"),
                Arguments.of(List.of(List.of("v=STSv1")), "no policy"),
                Arguments.of(List.of(List.of("v=STSv1; id=abc"), List.of("v=STSv1; id=def")),
                        "invalid: 2 records start with v=STSv1; senders treat that as no policy"),
                Arguments.of(List.of(List.of("v=STSv1; id=abc"), List.of("v=STSv1; ", "id=abc")),
                        "invalid: 2 records start with v=STSv1"),
                Arguments.of(List.of(List.of("v=STSv1; id=a+b")), "invalid: id must be 1 to 32 letters or digits"));
    }

    @ParameterizedTest
    @MethodSource
    void discover(List<List<String>> txtRecords, String expected) throws InvalidException {
        if (expected.startsWith("invalid: ")) {
            String message = Rejection.message(() -> StsRecord.discover(txtRecords));
            assertTrue(message.contains(expected.substring("invalid: ".length())), message);
        } else {
            Optional<StsRecord> found = StsRecord.discover(txtRecords);
            assertEquals(expected, found.map(r -> "id=" + r.id()).orElse("no policy"));
        }
    }
}
