package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8460 §5: the body is hostile (HTTPS has no authentication). Receivers cap the delivery and, against gzip
 * bombs, the decompressed size; a limit stops the reading there, without holding what came before.
 */
class ReportLimitsTest {
    /** Small limits keep the size rows fast; the bomb meets the default ones. */
    private static final Limits SMALL = new Limits(1024, 4096);
    private static final long BOMB_BYTES = 200L << 20;
    /** "{" and 200 MB of spaces, gzip'd (about 200 KB): JSON that never ends, so only the limit can stop it. */
    private static byte[] bomb;

    @BeforeAll
    static void makeBomb() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] spaces = new byte[1 << 20];
        Arrays.fill(spaces, (byte) ' ');
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            gz.write('{');
            for (long n = 0; n < BOMB_BYTES; n += spaces.length) {
                gz.write(spaces);
            }
        }
        bomb = out.toByteArray();
    }

    static Stream<Arguments> limits() {
        byte[] google = Fixtures.bytes("google.json");
        byte[] gzip = Fixtures.gzip(google);
        return Stream.of(
                row("bomb", Limits.DEFAULT, bomb, ReportException.Kind.TOO_LARGE,
                        "the decompressed report is larger than 20971520 bytes"),
                row("bomb inside an e-mail", Limits.DEFAULT, emailWith(bomb), ReportException.Kind.TOO_LARGE,
                        "the decompressed report is larger than 20971520 bytes"),
                row("JSON one byte over the delivery limit", SMALL, padded(google, 1025), ReportException.Kind.TOO_LARGE,
                        "the delivery is larger than 1024 bytes"),
                row("JSON exactly at the delivery limit", SMALL, padded(google, 1024), null, null),
                row("e-mail over the delivery limit", SMALL, Fixtures.bytes("email-google-style.eml"),
                        ReportException.Kind.TOO_LARGE, "the delivery is larger than 1024 bytes"),
                row("gzip one byte over the decompressed limit", SMALL, Fixtures.gzip(padded(google, 4097)),
                        ReportException.Kind.TOO_LARGE, "the decompressed report is larger than 4096 bytes"),
                row("gzip exactly at the decompressed limit", SMALL, Fixtures.gzip(padded(google, 4096)), null, null),
                row("gzip cut in half", Limits.DEFAULT, Arrays.copyOf(gzip, gzip.length / 2), ReportException.Kind.INVALID,
                        "broken or truncated gzip data: it ends early"),
                row("gzip cut inside its header", Limits.DEFAULT, Arrays.copyOf(gzip, 5), ReportException.Kind.INVALID,
                        "broken or truncated gzip data: the header is cut short"),
                // the JSON is whole, but the trailer's CRC says the data is not what was sent
                row("gzip with a wrong CRC", Limits.DEFAULT, corruptCrc(gzip), ReportException.Kind.INVALID,
                        "broken or truncated gzip data: its checksum or length does not match the data"),
                row("gzip with garbage inside", Limits.DEFAULT, corruptBody(gzip), ReportException.Kind.INVALID,
                        "broken or truncated gzip data: the compressed data is corrupt"),
                // mime4j reads each part through a stream per enclosing part: 100,000 of them overflow any stack
                row("an e-mail nested 100,000 levels deep", Limits.DEFAULT, nested(100_000, gzip),
                        ReportException.Kind.INVALID,
                        "the e-mail nests parts more than 16 levels deep; a report e-mail needs two or three"),
                row("an e-mail nested 17 levels deep", Limits.DEFAULT, nested(16, gzip), ReportException.Kind.INVALID,
                        "the e-mail nests parts more than 16 levels deep; a report e-mail needs two or three"),
                row("an e-mail nested 16 levels deep", Limits.DEFAULT, nested(15, gzip), null, null));
    }

    private static Arguments row(String what, Limits limits, byte[] data, ReportException.Kind kind, String message) {
        return Arguments.of(what, limits, data, kind, message);
    }

    /** A null kind means the input is within the limits and reads. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void limits(String what, Limits limits, byte[] data, ReportException.Kind kind, String message) throws ReportException {
        if (kind == null) {
            assertEquals("example.com", new ReportReader(limits).read(new ByteArrayInputStream(data), null)
                    .report().policies().get(0).domain());
            return;
        }
        ReportException e = Fixtures.rejected(limits, data);
        assertEquals(kind, e.kind());
        assertEquals(message, e.getMessage());
    }

    /**
     * The bomb is refused quickly, and without the decompressed text ever being held: the reading thread allocates
     * less than the 20 MB limit in all (it would allocate at least that much to hold it).
     */
    @Test
    void bombIsCheapToRefuse() throws ReportException {
        assertTrue(bomb.length < 1 << 20, "the bomb is small: " + bomb.length);
        Fixtures.read(Fixtures.gzip(Fixtures.bytes("google.json"))); // loads and warms the classes first
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // HotSpot, the JVM this project builds and runs on, measures per-thread allocation
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot measure per-thread allocation");
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        // CPU time of this thread, not wall time: a busy machine must not make a cheap refusal look dear
        long started = threads.getCurrentThreadCpuTime();
        ReportException e = Fixtures.rejected(Limits.DEFAULT, bomb);
        long millis = (threads.getCurrentThreadCpuTime() - started) / 1_000_000;
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertEquals(ReportException.Kind.TOO_LARGE, e.kind());
        assertTrue(millis < 1000, "took " + millis + " ms of CPU");
        assertTrue(allocated < Limits.DEFAULT.maxDecompressedBytes() / 2, "allocated " + allocated + " bytes");
    }

    /** The same JSON with trailing spaces up to exactly {@code size} bytes. */
    private static byte[] padded(byte[] json, int size) {
        byte[] out = Arrays.copyOf(json, size);
        Arrays.fill(out, json.length, size, (byte) ' ');
        return out;
    }

    private static byte[] corruptCrc(byte[] gzip) {
        byte[] out = gzip.clone();
        out[out.length - 8] ^= 0x55; // the trailer is CRC-32, then the size, each 4 bytes
        return out;
    }

    private static byte[] corruptBody(byte[] gzip) {
        byte[] out = gzip.clone();
        for (int i = 12; i < out.length - 12; i++) {
            out[i] = (byte) 0xff;
        }
        return out;
    }

    /** A message whose report part lies inside {@code levels} multiparts, one within the other (the message is one more). */
    static byte[] nested(int levels, byte[] gzip) {
        StringBuilder b = new StringBuilder(levels * 64 + gzip.length * 2);
        b.append("From: noreply-smtp-tls-reporting@sender.example\r\nMIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/report; report-type=tlsrpt; boundary=\"b0\"\r\n\r\n");
        for (int i = 1; i < levels; i++) {
            b.append("--b").append(i - 1).append("\r\nContent-Type: multipart/mixed; boundary=\"b").append(i)
                    .append("\"\r\n\r\n");
        }
        b.append("--b").append(levels - 1).append("\r\nContent-Type: application/tlsrpt+gzip\r\n")
                .append("Content-Transfer-Encoding: base64\r\n\r\n").append(Base64.getMimeEncoder().encodeToString(gzip))
                .append("\r\n");
        for (int i = levels - 1; i >= 0; i--) {
            b.append("--b").append(i).append("--\r\n");
        }
        return Fixtures.utf8(b.toString());
    }

    private static byte[] emailWith(byte[] gzip) {
        return Fixtures.utf8("""
                From: noreply-smtp-tls-reporting@sender.example
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=tlsrpt; boundary="b"

                --b
                Content-Type: application/tlsrpt+gzip
                Content-Transfer-Encoding: base64

                """ + Base64.getMimeEncoder().encodeToString(gzip) + "\n--b--\n");
    }
}
