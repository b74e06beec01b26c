package dev.mtasts.core.report;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawBody;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;

/**
 * Turns whatever a sender delivered into a {@link TlsReport}: raw JSON, gzip, or a whole e-mail (RFC 8460 §5.3),
 * told apart by their first bytes. Everything is streamed through size limits, so a gzip bomb stops at the limit
 * without ever being held.
 */
public final class ReportReader {
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    /**
     * Bytes buffered for telling formats apart and for gzip's input: most reports are a few hundred bytes of gzip,
     * and once past the first bytes the JSON parser's reads of 8,000 go straight through, so a larger buffer per
     * report would only make garbage.
     */
    private static final int BUFFER = 512;
    private final Limits limits;

    public ReportReader(Limits limits) {
        this.limits = limits;
    }

    /** What was read, how it came, and the e-mail it came in (null unless it did). */
    public record Received(TlsReport report, String format, Email email) {
    }

    /** The top-level headers of a report e-mail that matter to the receiver. */
    public record Email(String from, String subject, String tlsReportDomain, List<String> authenticationResults,
            String reportFileName) {
        public Email {
            authenticationResults = List.copyOf(authenticationResults);
        }
    }

    /**
     * Reads one delivery.
     *
     * @param fileName the name it arrived under (S3 key, attachment or file name), or null; a report that names no
     *     policy domain is attributed from it ({@code sender!domain!begin!end…})
     */
    public Received read(InputStream raw, String fileName) throws ReportException {
        return read(raw, fileName, true);
    }

    /**
     * Reads the body of an HTTPS delivery (RFC 8460 §5.4): the report itself, JSON or gzip'd JSON. An e-mail is
     * refused ({@link ReportException.Kind#UNSUPPORTED}): only e-mail that came through the mail system can carry a
     * DKIM verdict worth anything, and anyone can write an {@code Authentication-Results} header into a POST.
     */
    public Received readBody(InputStream raw) throws ReportException {
        return read(raw, null, false);
    }

    private Received read(InputStream raw, String fileName, boolean email) throws ReportException {
        LimitedInputStream limited = new LimitedInputStream(new Source(raw), limits.maxCompressedBytes(), "the delivery");
        try {
            BufferedInputStream in = new BufferedInputStream(limited, BUFFER);
            skipWhiteSpace(in);
            byte[] head = peek(in, 256);
            if (startsWith(head, GZIP) || firstNonSpace(head) == '{' || firstNonSpace(head) == '[') {
                TlsReport report = json(in);
                String format = startsWith(head, GZIP) ? "gzip" : "json";
                return new Received(report.attributedTo(domainFromFileName(fileName)), format, null);
            }
            if (firstNonSpace(head) == '<') {
                throw new ReportException(ReportException.Kind.INVALID,
                        "not a TLS report: the content looks like HTML or XML");
            }
            boolean mbox = startsWithAscii(head, "From ");
            if (!email && (mbox || looksLikeHeader(head))) {
                throw new ReportException(ReportException.Kind.UNSUPPORTED, "an e-mail is not a report body: POST the "
                        + "report itself as application/tlsrpt+gzip or +json (RFC 8460 section 5.3); e-mail goes to "
                        + "the rua=mailto: address");
            }
            if (mbox) {
                // an mbox file: the "From " envelope line comes before the message's own headers
                while (true) {
                    int b = in.read();
                    if (b < 0 || b == '\n') {
                        break;
                    }
                }
                return email(in, fileName);
            }
            if (looksLikeHeader(head)) {
                return email(in, fileName);
            }
            if (head.length == 0) {
                throw new ReportException(ReportException.Kind.INVALID, "empty input");
            }
            throw new ReportException(ReportException.Kind.INVALID,
                    "not a TLS report: neither JSON, gzip nor an e-mail message");
        } catch (LimitedInputStream.TooLarge e) {
            throw new ReportException(ReportException.Kind.TOO_LARGE, e.getMessage());
        } catch (Source.Failed e) {
            // the bytes did not arrive (a network read): nothing is known about the report yet
            throw new java.io.UncheckedIOException("cannot read the delivery: " + e.getCause(), e);
        } catch (IOException e) {
            throw new ReportException(ReportException.Kind.INVALID, "cannot read the report: the data is malformed or cut short", e);
        }
    }

    /** Tells a failure to fetch the bytes (worth retrying) from bytes that do not parse (never worth it). */
    private static final class Source extends java.io.FilterInputStream {
        static final class Failed extends IOException {
            Failed(IOException cause) {
                super(cause);
            }
        }

        Source(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new Failed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new Failed(e);
            }
        }
    }

    /** What went wrong inside gzip data, in our words. */
    private static String gzipProblem(IOException e) {
        if (e instanceof java.io.EOFException) {
            return "broken or truncated gzip data: it ends early";
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("trailer")) {
            return "broken or truncated gzip data: its checksum or length does not match the data";
        }
        return "broken or truncated gzip data: the compressed data is corrupt";
    }

    /** JSON, gzip'd or not (decided by the bytes, not by what the sender declared), within the size limit. */
    private TlsReport json(InputStream in) throws IOException, ReportException {
        BufferedInputStream b = in instanceof BufferedInputStream bis ? bis : new BufferedInputStream(in, BUFFER);
        byte[] head = peek(b, 2);
        InputStream body = b;
        Gunzip gunzip = null;
        if (startsWith(head, GZIP)) {
            try {
                body = gunzip = new Gunzip(b);
            } catch (ZipException e) {
                throw new ReportException(ReportException.Kind.INVALID, "broken gzip data: the header is not valid gzip");
            } catch (java.io.EOFException e) {
                // thrown without a message when the input ends inside the 10-byte gzip header
                throw new ReportException(ReportException.Kind.INVALID, "broken or truncated gzip data: the header is cut short");
            }
        }
        try {
            return ReportJson.parse(new LimitedInputStream(body, limits.maxDecompressedBytes(), "the decompressed report"));
        } catch (ZipException | java.io.EOFException e) {
            throw new ReportException(ReportException.Kind.INVALID, gzipProblem(e));
        } finally {
            if (gunzip != null) {
                gunzip.end();
            }
        }
    }

    /**
     * Gunzip whose inflater gives back its native memory (some 40 KB) as soon as the report is read. The stream is
     * not closed, as that would close the caller's; left to the collector, the memory of every report read since
     * the last collection is held at once: gigabytes for a few tens of thousands of small reports.
     */
    private static final class Gunzip extends GZIPInputStream {
        Gunzip(InputStream in) throws IOException {
            super(in, BUFFER);
        }

        void end() {
            inf.end();
        }
    }

    /**
     * A report e-mail ({@code multipart/report; report-type=tlsrpt}): the report part is the one whose media type
     * is {@code application/tlsrpt+gzip} or {@code +json}, else the one named {@code .json.gz}/{@code .json}, else
     * the first whose bytes are gzip or JSON. A missing close delimiter and a single-part message are fine.
     */
    /** Header fields every mail system writes; one of them tells an e-mail from other "name: value" text. */
    private static final java.util.Set<String> MAIL_HEADERS = java.util.Set.of("from", "to", "date", "subject",
            "message-id", "mime-version", "content-type", "received", "return-path", "tls-report-domain");

    private Received email(InputStream in, String fileName) throws IOException, ReportException {
        MimeTokenStream stream = new MimeTokenStream(MimeConfig.custom()
                .setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1).setStrictParsing(false).build());
        stream.parse(in);
        String from = null;
        String subject = null;
        String reportDomain = null;
        List<String> authResults = new ArrayList<>();
        String partFileName = null;
        byte[] fallback = null;
        int fallbackRank = 0;
        String fallbackName = null;
        int depth = 0;
        boolean mailHeader = false;
        try {
            for (EntityState s = stream.getState(); s != EntityState.T_END_OF_STREAM; s = stream.next()) {
                switch (s) {
                    case T_START_MESSAGE, T_START_BODYPART -> {
                        // mime4j reads a part through one stream per enclosing part: bounded here, before the
                        // nesting of a hostile message can exhaust the thread's stack
                        if (++depth > Limits.MAX_MIME_DEPTH) {
                            throw new ReportException(ReportException.Kind.INVALID, "the e-mail nests parts more than "
                                    + Limits.MAX_MIME_DEPTH + " levels deep; a report e-mail needs two or three");
                        }
                        partFileName = null;
                    }
                    case T_END_MESSAGE, T_END_BODYPART -> depth--;
                    case T_FIELD -> {
                        Field f = stream.getField();
                        String name = f.getName().toLowerCase(Locale.ROOT);
                        String value = f.getBody() == null ? "" : f.getBody().strip();
                        if (depth == 1) {
                            mailHeader |= MAIL_HEADERS.contains(name);
                            switch (name) {
                                case "from" -> from = value;
                                case "subject" -> subject = value;
                                case "tls-report-domain" -> reportDomain = value;
                                case "authentication-results" -> authResults.add(value);
                                default -> { }
                            }
                        }
                        if (name.equals("content-disposition") || name.equals("content-type")) {
                            String n = parameter(f, name.equals("content-type") ? "name" : "filename");
                            if (n != null) {
                                partFileName = n;
                            }
                        }
                    }
                    case T_BODY -> {
                        String type = stream.getBodyDescriptor().getMimeType().toLowerCase(Locale.ROOT);
                        if (type.equals("application/tlsrpt+gzip") || type.equals("application/tlsrpt+json")) {
                            TlsReport report = json(stream.getDecodedInputStream());
                            return emailReport(report, from, subject, reportDomain, authResults, partFileName, fileName);
                        }
                        int rank = reportName(partFileName) ? 2 : 1;
                        if (rank > fallbackRank) {
                            byte[] body = stream.getDecodedInputStream().readAllBytes();
                            if (rank == 2 || startsWith(body, GZIP) || firstNonSpace(body) == '{') {
                                fallback = body;
                                fallbackRank = rank;
                                fallbackName = partFileName;
                            }
                        }
                    }
                    default -> { }
                }
            }
        } catch (MimeException e) {
            throw new ReportException(ReportException.Kind.INVALID, "malformed e-mail: its MIME structure cannot be read");
        }
        if (fallback == null && !mailHeader) {
            // "name: value" lines (an mta-sts.txt, say) that no mail system would have written
            throw new ReportException(ReportException.Kind.INVALID, "not a TLS report: neither JSON, gzip nor an e-mail message");
        }
        if (fallback == null) {
            throw new ReportException(ReportException.Kind.INVALID,
                    "the e-mail has no report part (application/tlsrpt+gzip or +json, .json.gz or .json)");
        }
        TlsReport report = json(new ByteArrayInputStream(fallback));
        return emailReport(report, from, subject, reportDomain, authResults, fallbackName, fileName);
    }

    private static Received emailReport(TlsReport report, String from, String subject, String reportDomain,
            List<String> authResults, String partFileName, String fileName) {
        String domain = domainFromFileName(partFileName);
        if (domain == null) {
            domain = domainFromFileName(fileName);
        }
        if (domain == null && reportDomain != null) {
            domain = normalise(reportDomain);
        }
        return new Received(report.attributedTo(domain), "email",
                new Email(from, subject, reportDomain, authResults, partFileName));
    }

    /** RFC 8460 §5.1: {@code sender!policy-domain!begin!end[!unique].json[.gz]}. */
    static String domainFromFileName(String fileName) {
        if (fileName == null) {
            return null;
        }
        String base = fileName.substring(fileName.lastIndexOf('/') + 1);
        String[] parts = base.split("!");
        return parts.length >= 4 ? normalise(parts[1]) : null;
    }

    private static String normalise(String domain) {
        try {
            return dev.mtasts.core.DomainName.parse(domain).value();
        } catch (dev.mtasts.core.InvalidException e) {
            return null;
        }
    }

    private static boolean reportName(String name) {
        if (name == null) {
            return false;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".json.gz") || n.endsWith(".json") || n.endsWith(".gz");
    }

    private static String parameter(Field f, String param) {
        RawField raw = f instanceof RawField r ? r : new RawField(f.getName(), f.getBody());
        RawBody body = RawFieldParser.DEFAULT.parseRawBody(raw);
        for (NameValuePair p : body.getParams()) {
            if (p.getName().equalsIgnoreCase(param) && p.getValue() != null && !p.getValue().isBlank()) {
                return p.getValue().strip();
            }
        }
        return null;
    }

    /**
     * White space before the JSON is JSON too (RFC 8259 §2), however much of it there is; left in place, a padded
     * report would not be told from something else by its first bytes.
     */
    private static void skipWhiteSpace(BufferedInputStream in) throws IOException {
        while (true) {
            in.mark(1);
            int b = in.read();
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                in.reset();
                return;
            }
        }
    }

    private static byte[] peek(BufferedInputStream in, int n) throws IOException {
        in.mark(n);
        byte[] head = new byte[n];
        int read = in.readNBytes(head, 0, n);
        in.reset();
        return read == n ? head : java.util.Arrays.copyOf(head, read);
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first byte that is not white space or a UTF-8 byte-order mark, or -1. */
    private static int firstNonSpace(byte[] data) {
        int i = data.length >= 3 && (data[0] & 0xff) == 0xef && (data[1] & 0xff) == 0xbb && (data[2] & 0xff) == 0xbf ? 3 : 0;
        for (; i < data.length; i++) {
            byte b = data[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return b;
            }
        }
        return -1;
    }

    private static boolean startsWithAscii(byte[] data, String prefix) {
        return startsWith(data, prefix.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** An e-mail starts with a header field: a name of printable characters, then ':'. */
    private static boolean looksLikeHeader(byte[] head) {
        for (int i = 0; i < head.length; i++) {
            byte b = head[i];
            if (b == ':') {
                return i > 0;
            }
            if (b <= 32 || b >= 127) {
                return false;
            }
        }
        return false;
    }
}
