package dev.mtasts.local.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9112's request head and message body, as the listener reads them. */
class HeadAndBodyTest {

    static Head parse(String head) throws Refusal {
        byte[] b = head.replace("\\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        return Head.parse(b, 0, b.length);
    }

    /** §6.3: the body's length, from Content-Length (repeated or a list of one number) or chunked; 0 without. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            GET / HTTP/1.1\\nHost: a\\n\\n                                           | 0
            POST / HTTP/1.1\\nContent-Length: 12\\n\\n                               | 12
            POST / HTTP/1.1\\nContent-Length: 012\\n\\n                              | 12
            POST / HTTP/1.1\\nContent-Length: 12, 12\\nContent-Length: 12\\n\\n        | 12
            POST / HTTP/1.1\\ncontent-length:12\\n\\n                                | 12
            POST / HTTP/1.1\\nTransfer-Encoding: Chunked\\n\\n                       | -1
            """)
    void bodyLength(String head, long length) throws Refusal {
        assertEquals(length, parse(head).contentLength());
    }

    /** §9.3: HTTP/1.1 keeps the connection unless told close; HTTP/1.0 closes it unless told keep-alive. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            GET / HTTP/1.1\\n\\n                                  | true
            GET / HTTP/1.1\\nConnection: Close\\n\\n              | false
            GET / HTTP/1.1\\nConnection: keep-alive, close\\n\\n  | false
            GET / HTTP/1.0\\n\\n                                  | false
            GET / HTTP/1.0\\nConnection: Keep-Alive\\n\\n         | true
            """)
    void persistence(String head, boolean keepAlive) throws Refusal {
        assertEquals(keepAlive, parse(head).keepAlive());
    }

    /** §3.2: origin form as sent; absolute form gives its path and query; * only for OPTIONS. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            GET /a/b?c=d HTTP/1.1\\n\\n                    | /a/b?c=d
            GET http://mta-sts.example.com/x?y HTTP/1.1\\n\\n | /x?y
            GET http://mta-sts.example.com HTTP/1.1\\n\\n    | /
            GET http://mta-sts.example.com?q HTTP/1.1\\n\\n  | /?q
            OPTIONS * HTTP/1.1\\n\\n                       | *
            """)
    void target(String head, String target) throws Refusal {
        assertEquals(target, parse(head).target());
    }

    /** What is refused, with which status and words. */
    @ParameterizedTest(name = "[{index}] {1} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            GET /\\u0000 HTTP/1.1\\n\\n                       | 400 | the request target "/?" holds a character that must be percent-encoded
            GET /  HTTP/1.1\\n\\n                             | 400 | the request line must be METHOD TARGET HTTP/1.1 (got "GET /  HTTP/1.1")
            G(T / HTTP/1.1\\n\\n                              | 400 | the method "G(T" is not a token (RFC 9110 §9.1)
            GET / HTTX/1.1\\n\\n                              | 400 | the request line must end in HTTP/1.1 (got "HTTX/1.1")
            GET * HTTP/1.1\\n\\n                              | 400 | the request target must be a path beginning with / (got "*")
            GET / HTTP/1.1\\nHost : a\\n\\n                   | 400 | a header field line must be NAME: VALUE (got "Host : a")
            GET / HTTP/1.1\\nX: a\\u0000b\\n\\n               | 400 | the X header field holds a NUL (RFC 9110 §5.5)
            GET / HTTP/1.1\\nX: a\\rb\\n\\n                   | 400 | a bare CR inside a line of the request's head (RFC 9112 §2.2)
            POST / HTTP/1.0\\nTransfer-Encoding: chunked\\n\\n | 400 | Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)
            POST / HTTP/1.1\\nContent-Length: 1e3\\n\\n        | 400 | Content-Length must be a number of bytes (got "1e3")
            POST / HTTP/1.1\\nContent-Length: 1,2\\n\\n        | 400 | Content-Length is given twice, as 1 and 2
            """)
    void refused(String head, int status, String reason) {
        Refusal r = assertThrows(Refusal.class, () -> parse(head.replace("\\u0000", "\0").replace("\\r", "\r")));
        assertEquals(status, r.status);
        assertEquals(reason, r.getMessage());
    }

    /** §7.1: chunks, with extensions and trailer fields, put together; read a byte at a time as well as at once. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            5\\nhello\\n0\\n\\n                               | hello
            5;name=value\\nhello\\n6\\n world\\n0\\n\\n          | hello world
            A\\n0123456789\\n0\\nTrailer: x\\nMore: y\\n\\n        | 0123456789
            0\\n\\n                                         | ''
            """)
    void chunked(String wire, String content) throws Refusal {
        byte[] b = wire.replace("\\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
        Body whole = new Body(-1, 100);
        ByteBuffer all = ByteBuffer.wrap(b);
        whole.take(all);
        assertEquals(content, new String(whole.bytes(), StandardCharsets.US_ASCII));
        assertEquals(0, all.remaining(), "nothing past the end taken, nothing before it left");
        Body trickled = new Body(-1, 100);
        for (byte x : b) {
            trickled.take(ByteBuffer.wrap(new byte[] {x}));
        }
        assertEquals(content, new String(trickled.bytes(), StandardCharsets.US_ASCII));
    }

    @ParameterizedTest(name = "[{index}] {1} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            5\\nhello!\\n0\\n\\n        | 400 | a chunk is longer than its size says
            -5\\nhello\\n0\\n\\n        | 400 | a chunk size must be hex digits (got "-5")
            65\\n                     | 413 | the body is over 100 bytes
            """)
    void chunkedRefused(String wire, int status, String reason) throws Refusal {
        Body body = new Body(-1, 100);
        ByteBuffer in = ByteBuffer.wrap(wire.replace("\\n", "\r\n").getBytes(StandardCharsets.US_ASCII));
        Refusal r = assertThrows(Refusal.class, () -> body.take(in));
        assertEquals(status, r.status);
        assertEquals(reason, r.getMessage());
    }

    /** A declared length over the limit is refused before a byte of the body is read. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            101     | the body is over 100 bytes (Content-Length 101)
            """)
    void declaredTooLarge(long declared, String reason) {
        assertEquals(reason, assertThrows(Refusal.class, () -> new Body(declared, 100)).getMessage());
    }
}
