package dev.mtasts.resolver;

import dev.mtasts.sender.Dns;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.sender.Sender;
import dev.mtasts.sender.Trust;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where a command that acts as a sender (check, resolver) asks DNS, which CAs it trusts, which HTTPS port it uses. */
public final class SenderOptions {
    @Option(names = "--dns-server", paramLabel = "HOST[:PORT]",
            description = "Ask this DNS server instead of the system's resolvers.")
    public String dnsServer;

    @Option(names = "--ca-file", paramLabel = "PEM",
            description = "Trust the CA certificates of this PEM file instead of the JVM's (a private test set-up).")
    public Path caFile;

    @Option(names = "--https-port", paramLabel = "PORT", defaultValue = "443",
            description = "Port of the policy hosts, and for check of https: report addresses that name none "
                    + "(default: ${DEFAULT-VALUE}, what senders use; another for test set-ups).")
    public int httpsPort;

    /** The options cannot be used; the message is the one line to print. */
    public static final class Unusable extends Exception {
        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    public Trust trust() throws Unusable {
        try {
            return caFile == null ? Trust.system() : Trust.fromPem(caFile);
        } catch (NoSuchFileException e) {
            throw new Unusable(caFile + ": no such file");
        } catch (IOException e) {
            throw new Unusable(e.getMessage());
        }
    }

    /** DNS with this timeout for each question. */
    public Dns dns(Duration timeout) throws Unusable {
        try {
            return dnsServer == null ? Dns.system(timeout) : Dns.server(dnsServer, timeout);
        } catch (IOException | RuntimeException e) {
            throw new Unusable("--dns-server " + dnsServer + ": not a host or host:port");
        }
    }

    /** A sender whose DNS questions and whole policy fetch each take at most {@code timeout}. */
    public Sender sender(Trust trust, Dns dns, Duration timeout) {
        return new Sender(dns, new PolicyFetch(trust.context(), timeout), httpsPort);
    }
}
