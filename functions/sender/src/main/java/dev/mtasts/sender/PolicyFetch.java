package dev.mtasts.sender;

import dev.mtasts.core.Policy;
import dev.mtasts.core.PolicyAnswer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} the way a sending MTA does (RFC 8461 §3.3): one
 * GET, certificate checked for the host name given by SNI, no redirect followed, at most {@link Policy#MAX_BYTES}
 * bytes read, one deadline for the whole fetch.
 *
 * <p>Plain sockets rather than {@code java.net.http}: the caller may choose the address to connect to (a policy host
 * resolved through a chosen DNS server, or the local stack's listener), and each phase is timed, which a mail admin
 * needs to see against the few seconds strict senders allow.
 */
public final class PolicyFetch {
    private final SSLContext ssl;
    private final Duration timeout;

    /**
     * @param ssl the trust to check certificates against (null: the JVM's default trust store)
     * @param timeout the deadline for the whole fetch: connect, TLS, request and body
     */
    public PolicyFetch(SSLContext ssl, Duration timeout) {
        this.ssl = ssl;
        this.timeout = timeout;
    }

    /** Where to fetch from: the policy host's name (Host header, SNI, certificate name) and where to connect. */
    public record Target(String host, InetAddress address, int port, boolean tls) {
        /** The policy host as senders reach it: HTTPS on port 443 of the address its name resolves to. */
        public static Target https(String host) {
            return new Target(host, null, 443, true);
        }

        /** Plain HTTP to a given address with the policy host's name as Host: the local stack's listener. */
        public static Target plain(String host, InetAddress address, int port) {
            return new Target(host, address, port, false);
        }

        public String url() {
            return (tls ? "https://" : "http://") + host + (port == (tls ? 443 : 80) ? "" : ":" + port) + PolicyAnswer.PATH;
        }
    }

    /** Milliseconds each phase took; a phase that did not run is -1. */
    public record Timings(long resolve, long connect, long tls, long firstByte, long total) {
    }

    /** The answer, what TLS showed, and how long it took. */
    public record Result(PolicyAnswer answer, List<X509Certificate> chain, String tlsVersion, Timings timings) {
    }

    /** Why there is no answer at all: the phase that failed ({@code resolve}, {@code connect}, {@code tls}, {@code read}). */
    public static final class Failure extends Exception {
        private final String phase;
        private final Timings timings;

        Failure(String phase, String message, Timings timings) {
            super(message, null, false, false);
            this.phase = phase;
            this.timings = timings;
        }

        public String phase() {
            return phase;
        }

        public Timings timings() {
            return timings;
        }
    }

    public Result fetch(Target target) throws Failure {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long resolved = -1;
        long connected = -1;
        long handshaken = -1;
        long firstByte;
        InetAddress address = target.address();
        if (address == null) {
            try {
                address = InetAddress.getByName(target.host());
            } catch (IOException e) {
                throw new Failure("resolve", target.host() + " does not resolve: " + e.getMessage(),
                        timings(start, -1, -1, -1, -1));
            }
            resolved = System.nanoTime();
        }
        Socket socket = new Socket();
        try {
            try {
                socket.connect(new InetSocketAddress(address, target.port()), remaining(deadline));
            } catch (IOException e) {
                throw new Failure("connect", "cannot connect to " + address.getHostAddress() + " port " + target.port()
                        + ": " + reason(e), timings(start, resolved, -1, -1, -1));
            }
            connected = System.nanoTime();
            socket.setTcpNoDelay(true);
            Socket channel = socket;
            List<X509Certificate> chain = List.of();
            String version = null;
            if (target.tls()) {
                SSLSocket tls;
                try {
                    SSLSocketFactory factory = (ssl == null ? SSLContext.getDefault() : ssl).getSocketFactory();
                    tls = (SSLSocket) factory.createSocket(socket, target.host(), target.port(), true);
                    SSLParameters params = tls.getSSLParameters();
                    params.setServerNames(List.of(new SNIHostName(target.host())));
                    params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the policy host
                    tls.setSSLParameters(params);
                    tls.setSoTimeout(remaining(deadline));
                    tls.startHandshake();
                } catch (IOException | java.security.GeneralSecurityException e) {
                    throw new Failure("tls", "TLS with " + target.host() + " failed: " + reason(e),
                            timings(start, resolved, connected, -1, -1));
                }
                handshaken = System.nanoTime();
                version = tls.getSession().getProtocol();
                chain = new ArrayList<>();
                try {
                    for (Certificate c : tls.getSession().getPeerCertificates()) {
                        if (c instanceof X509Certificate x) {
                            chain.add(x);
                        }
                    }
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    chain = List.of();
                }
                channel = tls;
            }
            try {
                channel.setSoTimeout(remaining(deadline));
                OutputStream out = channel.getOutputStream();
                out.write(("GET " + PolicyAnswer.PATH + " HTTP/1.1\r\nHost: " + target.host()
                        + "\r\nUser-Agent: mta-sts-serverless\r\nAccept: text/plain\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = channel.getInputStream();
                Head head = Head.read(in, deadline, channel);
                firstByte = head.firstByte;
                byte[] body = body(in, head, deadline, channel);
                long end = System.nanoTime();
                PolicyAnswer answer = new PolicyAnswer(head.status, head.headers.get("content-type"),
                        head.headers.get("location"), body);
                return new Result(answer, chain, version, timings(start, resolved, connected, handshaken, firstByte, end));
            } catch (IOException e) {
                throw new Failure("read", "reading the answer of " + target.host() + " failed: " + reason(e),
                        timings(start, resolved, connected, handshaken, -1));
            }
        } catch (IOException e) {
            throw new Failure("connect", reason(e), timings(start, resolved, connected, handshaken, -1));
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket we are done with
            }
        }
    }

    /** Why a TLS handshake with {@code host} fails (as senders check it), or null when it succeeds. */
    public String handshakeProblem(String host, InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            long deadline = System.nanoTime() + timeout.toNanos();
            socket.connect(new InetSocketAddress(address, port), remaining(deadline));
            SSLSocketFactory factory = (ssl == null ? SSLContext.getDefault() : ssl).getSocketFactory();
            try (SSLSocket tls = (SSLSocket) factory.createSocket(socket, host, port, true)) {
                SSLParameters params = tls.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName(host)));
                params.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(params);
                tls.setSoTimeout(remaining(deadline));
                tls.startHandshake();
            }
            return null;
        } catch (IOException | java.security.GeneralSecurityException e) {
            return "TLS with " + host + " port " + port + " fails: " + reason(e);
        }
    }

    /** Status line and headers, names in lower case. */
    private record Head(int status, Map<String, String> headers, long firstByte) {
        static Head read(InputStream in, long deadline, Socket socket) throws IOException {
            String statusLine = line(in, deadline, socket);
            long first = System.nanoTime();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP answer (\"" + shorten(statusLine) + "\")");
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP status (\"" + shorten(statusLine) + "\")");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (int n = 0; ; n++) {
                String h = line(in, deadline, socket);
                if (h.isEmpty()) {
                    break;
                }
                if (n > 100) {
                    throw new IOException("more than 100 header lines");
                }
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.merge(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip(),
                            (a, b) -> a + ", " + b);
                }
            }
            return new Head(status, headers, first);
        }
    }

    private static final int MAX_LINE = 8192;

    private static String line(InputStream in, long deadline, Socket socket) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            socket.setSoTimeout(remaining(deadline));
            int c = in.read();
            if (c < 0) {
                throw new IOException("the connection closed in the middle of the answer");
            }
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > MAX_LINE) {
                throw new IOException("a header line longer than " + MAX_LINE + " bytes");
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** At most one byte more than senders read: enough to tell that the body is too large. */
    private static byte[] body(InputStream in, Head head, long deadline, Socket socket) throws IOException {
        int cap = Policy.MAX_BYTES + 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String encoding = head.headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        if (encoding.contains("chunked")) {
            while (out.size() < cap) {
                String size = line(in, deadline, socket).split(";", 2)[0].strip();
                int n;
                try {
                    n = Integer.parseInt(size, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size \"" + shorten(size) + "\"");
                }
                if (n == 0) {
                    break;
                }
                copy(in, out, Math.min(n, cap - out.size()), deadline, socket);
                if (out.size() < cap) {
                    line(in, deadline, socket); // CRLF after the chunk
                }
            }
            return out.toByteArray();
        }
        String length = head.headers.get("content-length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length \"" + shorten(length) + "\"");
            }
            copy(in, out, (int) Math.min(n, cap), deadline, socket);
            return out.toByteArray();
        }
        copy(in, out, cap, deadline, socket); // to the end of the connection
        return out.toByteArray();
    }

    private static void copy(InputStream in, ByteArrayOutputStream out, int n, long deadline, Socket socket)
            throws IOException {
        byte[] buf = new byte[8192];
        int left = n;
        while (left > 0) {
            socket.setSoTimeout(remaining(deadline));
            int r = in.read(buf, 0, Math.min(buf.length, left));
            if (r < 0) {
                return;
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }

    private static int remaining(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("no answer within the time allowed");
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static Timings timings(long start, long resolved, long connected, long tls, long firstByte) {
        return timings(start, resolved, connected, tls, firstByte, System.nanoTime());
    }

    private static Timings timings(long start, long resolved, long connected, long tls, long firstByte, long end) {
        long r = resolved < 0 ? -1 : ms(resolved - start);
        long base = resolved < 0 ? start : resolved;
        long c = connected < 0 ? -1 : ms(connected - base);
        long t = tls < 0 ? -1 : ms(tls - connected);
        long f = firstByte < 0 ? -1 : ms(firstByte - (tls < 0 ? connected : tls));
        return new Timings(r, c, t, f, ms(end - start));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** The innermost message that says something, without class names. */
    private static String reason(Throwable e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateExpiredException) {
                return "the certificate has expired";
            }
            if (c instanceof java.security.cert.CertificateNotYetValidException) {
                return "the certificate is not valid yet";
            }
        }
        Throwable t = e;
        String message = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        if (e instanceof SSLException && message != null && message.contains("PKIX path")) {
            return "the certificate is not trusted (no chain to a trusted root)";
        }
        if (message != null && message.startsWith("No subject alternative DNS name matching")) {
            return "the certificate does not name the host (" + message + ")";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
