package dev.mtasts.sender;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP server on 127.0.0.1 that greets, answers EHLO (with or without STARTTLS) and upgrades to TLS with the test
 * CA's certificate for the name the client asks for by SNI: enough of RFC 3207 for a sender's check.
 */
public final class SmtpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final SSLContext tls;
    private final boolean offerStartTls;
    private volatile boolean running = true;

    public SmtpServer(TestCa ca, boolean offerStartTls) throws Exception {
        this.socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        this.tls = ca.serverContext();
        this.offerStartTls = offerStartTls;
        Thread t = new Thread(this::serve, "smtp");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (running) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> session(s), "smtp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private void session(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            write(out, "220 mx.test ESMTP ready");
            for (String line; (line = in.readLine()) != null; ) {
                String cmd = line.toUpperCase(java.util.Locale.ROOT);
                if (cmd.startsWith("EHLO")) {
                    write(out, offerStartTls ? "250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS" : "250-mx.test\r\n250 PIPELINING");
                } else if (cmd.startsWith("STARTTLS") && offerStartTls) {
                    write(out, "220 go ahead");
                    SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), false);
                    t.setUseClientMode(false);
                    t.startHandshake();
                    BufferedReader tin = new BufferedReader(new InputStreamReader(t.getInputStream(), StandardCharsets.US_ASCII));
                    for (String l; (l = tin.readLine()) != null; ) {
                        write(t.getOutputStream(), l.toUpperCase(java.util.Locale.ROOT).startsWith("QUIT") ? "221 bye" : "250 ok");
                        if (l.toUpperCase(java.util.Locale.ROOT).startsWith("QUIT")) {
                            return;
                        }
                    }
                    return;
                } else if (cmd.startsWith("QUIT")) {
                    write(out, "221 bye");
                    return;
                } else {
                    write(out, "502 not here");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void write(OutputStream out, String lines) throws IOException {
        out.write((lines + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        running = false;
        socket.close();
    }
}
