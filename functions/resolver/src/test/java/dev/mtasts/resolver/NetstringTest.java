package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Netstrings as http://cr.yp.to/proto/netstrings.txt defines them: {@code <length>:<bytes>,}. */
class NetstringTest {
    static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "19:postfix example.com,"   | postfix example.com
            "0:,"                       | ""
            "3:a,b,"                    | a,b
            """)
    void valid(String wire, String content) throws IOException {
        InputStream s = in(wire);
        assertEquals(content, new String(Netstring.read(s, 100), StandardCharsets.UTF_8));
        assertNull(Netstring.read(s, 100), "then the end of the stream");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "x:abc,"        | expected a digit or ':' in a netstring length, got 'x'
            ":abc,"         | a netstring without a length
            "03:abc,"       | a netstring length has a leading zero
            "3:abc;"        | a netstring of 3 bytes is not followed by ',' but ';'
            "3:abc"         | a netstring of 3 bytes is not followed by ',' but the end of the connection
            "101:a"         | a netstring longer than 100 bytes
            "12"            | the connection closed inside a length
            """)
    void malformed(String wire, String message) {
        assertEquals(message, assertThrows(Netstring.Malformed.class, () -> Netstring.read(in(wire), 100)).getMessage());
    }

    @Test
    void truncatedContent() {
        assertThrows(EOFException.class, () -> Netstring.read(in("10:abc"), 100));
    }

    @Test
    void writesLengthInBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Netstring.write(out, "OK é");
        assertArrayEquals("5:OK é,".getBytes(StandardCharsets.UTF_8), out.toByteArray());
    }
}
