package dev.mtasts.resolver;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Netstrings ({@code 12:hello world!,}), the framing of Postfix's socketmap protocol: each request and each reply is
 * one. See http://cr.yp.to/proto/netstrings.txt.
 */
final class Netstring {
    private Netstring() {
    }

    /** The other side sent something that is not a netstring, or one longer than allowed. */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    /**
     * The next netstring's content, or null when the stream ends cleanly before one begins.
     *
     * @param max the longest content accepted; a longer one is refused before it is read
     */
    static byte[] read(InputStream in, int max) throws IOException {
        int c = in.read();
        return c < 0 ? null : read(c, in, max);
    }

    /** The content of a netstring whose first byte, {@code first}, has been read already. */
    static byte[] read(int first, InputStream in, int max) throws IOException {
        int c = first;
        long length = 0;
        int digits = 0;
        while (c != ':') {
            if (c < '0' || c > '9') {
                throw new Malformed(c < 0 ? "the connection closed inside a length"
                        : "expected a digit or ':' in a netstring length, got " + shown(c));
            }
            if (digits > 0 && length == 0) {
                throw new Malformed("a netstring length has a leading zero");
            }
            length = length * 10 + (c - '0');
            if (++digits > 9 || length > max) {
                throw new Malformed("a netstring longer than " + max + " bytes");
            }
            c = in.read();
        }
        if (digits == 0) {
            throw new Malformed("a netstring without a length");
        }
        byte[] data = in.readNBytes((int) length);
        if (data.length < length) {
            throw new EOFException("the connection closed inside a netstring");
        }
        int comma = in.read();
        if (comma != ',') {
            throw new Malformed("a netstring of " + length + " bytes is not followed by ',' but " + shown(comma));
        }
        return data;
    }

    static void write(OutputStream out, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        byte[] head = (data.length + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[head.length + data.length + 1];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(data, 0, frame, head.length, data.length);
        frame[frame.length - 1] = ',';
        out.write(frame);
        out.flush();
    }

    private static String shown(int c) {
        return c < 0 ? "the end of the connection" : c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
    }
}
