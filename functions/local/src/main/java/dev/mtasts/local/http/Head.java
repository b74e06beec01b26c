package dev.mtasts.local.http;

import dev.mtasts.core.Quote;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request's head as RFC 9112 has it (request line, header fields, the blank line), read and checked, with what it
 * says about the body (§6) and the connection (§9.3). Everything a client may get wrong is a {@link Refusal} saying
 * what, in our words.
 *
 * @param contentLength the body's length from Content-Length; 0 without a body, -1 when chunked
 */
record Head(String method, String target, String version, List<Request.Header> headers, long contentLength,
        boolean expectContinue, boolean keepAlive) {

    /** Header field lines in one head. */
    static final int MAX_FIELDS = 100;

    /** The first value of a header field, its name in any case; null without one. */
    String header(String name) {
        for (Request.Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /**
     * Where the head in {@code b[from..to)} ends, just past its blank line, or -1 while it has not all come. Lines may
     * end in CRLF or a bare LF (§2.2).
     */
    static int end(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                if (i + 1 < to && b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < to && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /** The first line of a head, as sent (for the log line of one that could not be read). */
    static String requestLine(byte[] b, int from, int to) {
        int end = from;
        while (end < to && b[end] != '\n' && b[end] != '\r') {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.ISO_8859_1);
    }

    /** Reads the head in {@code b[from..to)}, which ends in its blank line. */
    static Head parse(byte[] b, int from, int to) throws Refusal {
        // §2.2: field values are octets; ISO-8859-1 keeps each one a char
        String[] lines = new String(b, from, to - from, StandardCharsets.ISO_8859_1).split("\n", -1);
        String requestLine = line(lines[0]);
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new Refusal(400, "the request line must be METHOD TARGET HTTP/1.1 (got " + Quote.of(requestLine) + ")");
        }
        String method = parts[0];
        if (!isToken(method)) {
            throw new Refusal(400, "the method " + Quote.of(method) + " is not a token (RFC 9110 §9.1)");
        }
        String version = parts[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw version.matches("HTTP/\\d(\\.\\d)?")
                    ? new Refusal(505, version + " is not spoken here: this server speaks HTTP/1.1")
                    : new Refusal(400, "the request line must end in HTTP/1.1 (got " + Quote.of(version) + ")");
        }
        String target = target(parts[1], method);

        List<Request.Header> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = line(lines[i]);
            if (line.isEmpty()) {
                break;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new Refusal(400, "a header field line begins with white space (line folding is obsolete, RFC 9112"
                        + " §5.2)");
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? line : line.substring(0, colon);
            if (colon <= 0 || !isToken(name)) {
                throw new Refusal(400, "a header field line must be NAME: VALUE (got " + Quote.of(line) + ")");
            }
            String value = line.substring(colon + 1).strip();
            if (value.indexOf('\0') >= 0) {
                throw new Refusal(400, "the " + name + " header field holds a NUL (RFC 9110 §5.5)");
            }
            if (headers.size() == MAX_FIELDS) {
                throw new Refusal(431, "more than " + MAX_FIELDS + " header field lines");
            }
            headers.add(new Request.Header(name, value));
        }

        boolean http11 = version.equals("HTTP/1.1");
        long length = 0;
        String declared = null;
        List<String> codings = new ArrayList<>();
        boolean expectContinue = false;
        boolean close = !http11;
        for (Request.Header h : headers) {
            switch (h.name().toLowerCase(Locale.ROOT)) {
                case "content-length" -> {
                    // §6.3: repeated or a list, every value must be the same number
                    for (String v : h.value().split(",", -1)) {
                        String n = v.strip();
                        if (!n.matches("\\d{1,18}")) {
                            throw new Refusal(400, "Content-Length must be a number of bytes (got " + Quote.of(h.value())
                                    + ")");
                        }
                        if (declared != null && !declared.equals(n.replaceFirst("^0+(?=.)", ""))) {
                            throw new Refusal(400, "Content-Length is given twice, as " + declared + " and " + n);
                        }
                        declared = n.replaceFirst("^0+(?=.)", "");
                    }
                    length = Long.parseLong(declared);
                }
                case "transfer-encoding" -> {
                    for (String coding : h.value().split(",", -1)) {
                        codings.add(coding.strip().toLowerCase(Locale.ROOT));
                    }
                }
                case "expect" -> {
                    if (!h.value().equalsIgnoreCase("100-continue")) {
                        throw new Refusal(417, "Expect: " + Quote.cut(h.value(), Quote.MAX) + " is not understood here;"
                                + " only 100-continue is");
                    }
                    expectContinue = http11;
                }
                case "connection" -> {
                    for (String option : h.value().split(",", -1)) {
                        String o = option.strip().toLowerCase(Locale.ROOT);
                        if (o.equals("close")) {
                            close = true;
                        } else if (o.equals("keep-alive") && !http11) {
                            close = false;
                        }
                    }
                }
                default -> {
                    // the gateway's business
                }
            }
        }
        if (!codings.isEmpty()) {
            if (declared != null) {
                throw new Refusal(400, "Content-Length and Transfer-Encoding together: which one frames the body?"
                        + " (RFC 9112 §6.1)");
            }
            if (!http11) {
                throw new Refusal(400, "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)");
            }
            if (!codings.equals(List.of("chunked"))) {
                throw new Refusal(501, "Transfer-Encoding " + Quote.of(String.join(", ", codings)) + " is not"
                        + " supported: only chunked is");
            }
            length = -1;
        }
        return new Head(method, target, version, headers, length, expectContinue && length != 0, !close);
    }

    /**
     * The target in origin form: {@code /path?query} as sent; an absolute-form target ({@code http://host/path},
     * §3.2.2) gives its path and query; {@code *} only for OPTIONS.
     */
    private static String target(String target, String method) throws Refusal {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new Refusal(400, "the request target " + Quote.of(target) + " holds a character that must be"
                        + " percent-encoded");
            }
        }
        if (target.startsWith("/")) {
            return target;
        }
        if (target.equals("*") && method.equals("OPTIONS")) {
            return target;
        }
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            int query = target.indexOf('?', target.indexOf("//") + 2);
            if (slash < 0 || (query >= 0 && query < slash)) {
                return "/" + (query < 0 ? "" : target.substring(query));
            }
            return target.substring(slash);
        }
        throw new Refusal(400, "the request target must be a path beginning with / (got " + Quote.of(target) + ")");
    }

    private static String line(String s) throws Refusal {
        String line = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        if (line.indexOf('\r') >= 0) {
            throw new Refusal(400, "a bare CR inside a line of the request's head (RFC 9112 §2.2)");
        }
        return line;
    }

    /** RFC 9110 §5.6.2. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
