package dev.mtasts.local.http;

import dev.mtasts.core.Quote;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A request body as it arrives, of a known length or chunked (RFC 9112 §7.1), kept in an array that grows with what
 * has come (never with what was declared), up to a limit past which it is refused with 413.
 */
final class Body {
    /** A chunk-size line with its extensions, and a trailer field line, are at most this long. */
    private static final int MAX_LINE = 4096;

    private enum Step {
        SIZE, DATA, DATA_END, TRAILER, DONE
    }

    private final long declared;
    private final long max;
    private byte[] data;
    private int length;
    // chunked only
    private Step step;
    private long chunkLeft;
    private final StringBuilder line = new StringBuilder();
    private int trailerBytes;

    /** @param declared the Content-Length, or -1 for a chunked body */
    Body(long declared, long max) throws Refusal {
        if (declared > max) {
            throw new Refusal(413, tooLarge(max) + " (Content-Length " + declared + ")");
        }
        this.declared = declared;
        this.max = max;
        this.data = new byte[(int) Math.min(declared < 0 ? 8192 : declared, 64 << 10)];
        this.step = declared < 0 ? Step.SIZE : declared == 0 ? Step.DONE : Step.DATA;
        this.chunkLeft = declared;
    }

    static String tooLarge(long max) {
        return "the body is over " + (max % (1 << 20) == 0 ? max / (1 << 20) + " MB" : max + " bytes");
    }

    boolean done() {
        return step == Step.DONE;
    }

    /** Bytes of body held. */
    int length() {
        return length;
    }

    /** What is still to come of a body of known length; -1 for a chunked one. */
    long left() {
        return declared < 0 ? -1 : declared - length;
    }

    byte[] bytes() {
        return length == data.length ? data : Arrays.copyOf(data, length);
    }

    /** Takes what {@code in} (read mode) holds of the body, and no byte past its end. */
    void take(ByteBuffer in) throws Refusal {
        while (in.hasRemaining() && step != Step.DONE) {
            switch (step) {
                case DATA -> {
                    int n = (int) Math.min(chunkLeft, in.remaining());
                    append(in, n);
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        step = declared < 0 ? Step.DATA_END : Step.DONE;
                    }
                }
                case SIZE -> {
                    String size = readLine(in, "a chunk size");
                    if (size != null) {
                        chunkLeft = chunkSize(size);
                        if (length + chunkLeft > max) {
                            throw new Refusal(413, tooLarge(max));
                        }
                        step = chunkLeft == 0 ? Step.TRAILER : Step.DATA;
                    }
                }
                case DATA_END -> {
                    String end = readLine(in, "the end of a chunk");
                    if (end != null) {
                        if (!end.isEmpty()) {
                            throw new Refusal(400, "a chunk is longer than its size says");
                        }
                        step = Step.SIZE;
                    }
                }
                case TRAILER -> {
                    // trailer fields are read and dropped: API Gateway hands a function none
                    String field = readLine(in, "a trailer field");
                    if (field != null) {
                        trailerBytes += field.length();
                        if (trailerBytes > MAX_LINE * 4) {
                            throw new Refusal(431, "the trailer fields are over " + MAX_LINE * 4 + " bytes");
                        }
                        if (field.isEmpty()) {
                            step = Step.DONE;
                        }
                    }
                }
                case DONE -> {
                    // the loop ends
                }
            }
        }
    }

    private void append(ByteBuffer in, int n) throws Refusal {
        if (length + (long) n > max) {
            throw new Refusal(413, tooLarge(max));
        }
        if (length + n > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(max, Math.max((long) length + n, 2L * data.length)));
        }
        in.get(data, length, n);
        length += n;
    }

    /** The next line, without its CRLF (or LF); null while it has not all come. */
    private String readLine(ByteBuffer in, String what) throws Refusal {
        while (in.hasRemaining()) {
            char c = (char) (in.get() & 0xff);
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    end--;
                }
                String s = line.substring(0, end);
                line.setLength(0);
                return s;
            }
            if (line.length() == MAX_LINE) {
                throw new Refusal(400, what + " line is over " + MAX_LINE + " bytes");
            }
            line.append(c);
        }
        return null;
    }

    /** §7.1: hex digits, then optional extensions after {@code ;}, which are ignored. */
    private static long chunkSize(String line) throws Refusal {
        int semicolon = line.indexOf(';');
        String hex = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
        if (!hex.matches("[0-9A-Fa-f]{1,15}")) {
            throw new Refusal(400, "a chunk size must be hex digits (got " + Quote.of(line) + ")");
        }
        return Long.parseLong(hex, 16);
    }
}
