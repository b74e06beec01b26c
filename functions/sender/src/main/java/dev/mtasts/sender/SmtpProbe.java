package dev.mtasts.sender;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What a sender checks at an MX host under an {@code enforce} policy (RFC 8461 §4.2): on port 25, EHLO, STARTTLS
 * offered, a TLS handshake, and a certificate chain that is trusted and names the MX host. The handshake completes
 * even when the certificate fails, so that the report can say why (expired, another name, untrusted) and when it
 * expires.
 */
public final class SmtpProbe {
    private final Trust trust;
    private final Duration timeout;
    private final int port;

    /**
     * @param trust the certificates to check against
     * @param port 25, as senders use; another only for test set-ups
     */
    public SmtpProbe(Trust trust, Duration timeout, int port) {
        this.trust = trust;
        this.timeout = timeout;
        this.port = port;
    }

    /** What the MX host showed. {@code certificateProblem} is null when senders would accept the certificate. */
    public record Result(String host, boolean startTls, String tlsVersion, List<X509Certificate> chain,
            String certificateProblem, long millis) {
    }

    /**
     * No result: the connection or the SMTP dialogue failed, at {@code phase}: blocked (no answer at all: port 25 is
     * filtered on the way), connect (refused: nothing listens), banner, ehlo, starttls, tls.
     */
    public static final class Failure extends Exception {
        private final String phase;

        Failure(String phase, String message) {
            super(message, null, false, false);
            this.phase = phase;
        }

        public String phase() {
            return phase;
        }
    }

    public Result probe(String host, InetAddress address) throws Failure {
        long t0 = System.nanoTime();
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            } catch (SocketTimeoutException e) {
                throw new Failure("blocked", "no answer on port " + port + " of " + host + " (" + address.getHostAddress()
                        + ") within " + timeout.toSeconds() + " s: outgoing port 25 is often blocked (clouds, home "
                        + "ISPs); run the check from a mail server");
            } catch (IOException e) {
                throw new Failure("connect", "cannot connect to port " + port + " of " + host + " ("
                        + address.getHostAddress() + "): " + e.getMessage());
            }
            socket.setSoTimeout((int) timeout.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            List<String> banner = reply(in, "banner");
            if (!banner.get(0).startsWith("220")) {
                throw new Failure("banner", host + " greets with \"" + banner.get(0) + "\", not 220");
            }
            send(out, "EHLO mta-sts-check.invalid");
            List<String> ehlo = reply(in, "ehlo");
            boolean offered = ehlo.stream().anyMatch(l -> l.length() > 4 && l.substring(4).strip().equalsIgnoreCase("STARTTLS"));
            if (!offered) {
                return new Result(host, false, null, List.of(), null, ms(t0));
            }
            send(out, "STARTTLS");
            List<String> go = reply(in, "starttls");
            if (!go.get(0).startsWith("220")) {
                throw new Failure("starttls", host + " answers STARTTLS with \"" + go.get(0) + "\"");
            }
            Recording verdict = new Recording(trust.manager());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {verdict}, null);
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(socket, host, port, true);
            SSLParameters params = tls.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(host)));
            params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the MX host
            tls.setSSLParameters(params);
            try {
                tls.startHandshake();
            } catch (IOException e) {
                throw new Failure("tls", "TLS with " + host + " failed: " + e.getMessage());
            }
            String version = tls.getSession().getProtocol();
            try {
                send(tls.getOutputStream(), "QUIT");
            } catch (IOException ignored) {
                // the answer is in; the goodbye does not matter
            }
            return new Result(host, true, version, verdict.chain, verdict.problem, ms(t0));
        } catch (IOException e) {
            throw new Failure("smtp", "the SMTP dialogue with " + host + " broke off: "
                    + (e instanceof SocketTimeoutException ? "no answer in time" : e.getMessage()));
        } catch (java.security.GeneralSecurityException e) {
            throw new Failure("tls", "cannot set up TLS: " + e.getMessage());
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One SMTP reply, all its lines ({@code 250-…} continues, {@code 250 …} ends). */
    private static List<String> reply(BufferedReader in, String phase) throws IOException, Failure {
        List<String> lines = new java.util.ArrayList<>();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new Failure(phase, "the server closed the connection");
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-' || lines.size() > 100) {
                return lines;
            }
        }
    }

    /** Checks as the real one would, but records the verdict instead of ending the handshake. */
    private static final class Recording extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        List<X509Certificate> chain = List.of();
        String problem;

        Recording(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        /** A check of the real trust manager, which may refuse. */
        private interface Check {
            void run() throws CertificateException;
        }

        private void record(X509Certificate[] c, Check check) {
            chain = List.of(c);
            try {
                check.run();
            } catch (CertificateException e) {
                problem = explain(e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType, Socket socket) {
            record(c, () -> delegate.checkServerTrusted(c, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType, SSLEngine engine) {
            record(c, () -> delegate.checkServerTrusted(c, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType) {
            record(c, () -> delegate.checkServerTrusted(c, authType));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    /** A certificate verdict in a mail admin's words. */
    static String explain(CertificateException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return "the certificate has expired";
            }
            if (t instanceof java.security.cert.CertificateNotYetValidException) {
                return "the certificate is not valid yet";
            }
        }
        String m = String.valueOf(e.getMessage());
        if (m.startsWith("No subject alternative") || m.startsWith("No name matching")) {
            return "the certificate does not name the host (" + m + ")";
        }
        if (m.contains("PKIX") || m.contains("path")) {
            return m.contains("expired") || m.contains("validity") ? "the certificate has expired"
                    : "the certificate is not trusted (no chain to a trusted root)";
        }
        return m;
    }
}
