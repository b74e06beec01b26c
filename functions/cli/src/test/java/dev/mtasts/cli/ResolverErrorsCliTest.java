package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mta-sts resolver} refuses to start, in one line, when it could not do its work; {@code --check-config} says
 * the same without starting (what {@code systemctl reload} runs before it signals the resolver), and writes nothing.
 */
class ResolverErrorsCliTest {
    @TempDir
    Path dir;

    @Test
    void anUnknownKeyIsInvalidInputNamingItsLine() throws Exception {
        Path config = Files.writeString(dir.resolve("r.yml"), "port: 8461\ndefault_zone:\n  strict_tesing: true\n");
        Cli r = Cli.run("resolver", "--config", config.toString());
        assertEquals(1, r.exit());
        assertEquals("mta-sts: " + config + ":3: unknown key \"strict_tesing\" in default_zone (did you mean"
                + " \"strict_testing\"?); known keys: strict_testing, timeout, require_sni, tlsrpt, dane", r.err().strip());
    }

    @Test
    void aMissingConfigurationFile() {
        Cli r = Cli.run("resolver", "--config", dir.resolve("none.yml").toString());
        assertEquals(2, r.exit());
        assertEquals("mta-sts: " + dir.resolve("none.yml") + ": no such file", r.err().strip());
    }

    /** Pointed at Debian's /etc/mta-sts-daemon.yml as it is, it will not overwrite the other daemon's database. */
    @Test
    void postfixMtaStsResolversDatabaseIsLeftAlone() throws Exception {
        Path db = Files.write(dir.resolve("cache.db"), "SQLite format 3\0...".getBytes(StandardCharsets.ISO_8859_1));
        Path config = Files.writeString(dir.resolve("r.yml"), "cache:\n  type: sqlite\n  options:\n    filename: " + db + "\n");
        Cli r = Cli.run("resolver", "--config", config.toString(), "--listen", "127.0.0.1:0");
        assertEquals(2, r.exit());
        assertEquals("mta-sts: " + db + " is an SQLite database (postfix-mta-sts-resolver's cache?); this resolver keeps"
                + " its cache in a file of its own: set cache.options.filename to another file, e.g. "
                + dir.resolve("resolver-cache.jsonl"), r.err().lines().reduce((a, b) -> b).orElse(""));
    }

    @Test
    void aPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("r.yml"), "cache:\n  type: internal\n");
            Cli r = Cli.run("resolver", "--config", config.toString(), "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertEquals(2, r.exit());
            assertEquals("mta-sts: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use"
                    + " (another resolver running? choose another with --listen)", r.err().lines().reduce((a, b) -> b).orElse(""));
        }
    }

    @Test
    void aBadListenAddress() {
        Cli r = Cli.run("resolver", "--listen", "8461");
        assertEquals(2, r.exit());
        assertEquals("mta-sts: --listen must be HOST:PORT (e.g. 127.0.0.1:8461) or the absolute path of a UNIX socket"
                + " (got \"8461\")", r.err().strip());
    }

    @Test
    void checkConfigSaysWhatAStartWouldFindAndWritesNothing() throws Exception {
        Path cache = dir.resolve("state").resolve("cache.jsonl");
        Path config = Files.writeString(dir.resolve("r.yml"), "port: 8462\ncache:\n  options:\n    filename: " + cache
                + "\nzones:\n  strict:\n    strict_testing: true\nmetrics: 127.0.0.1:9461\n");
        Path postfix = Files.createDirectories(dir.resolve("postfix"));
        Files.writeString(postfix.resolve("main.cf"), "smtp_dns_support_level = dnssec\n");
        Cli r = Cli.run("resolver", "--check-config", "--config", config.toString(), "--dns-server", "127.0.0.1:5353",
                "--postfix-config", postfix.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(config + ": the resolver would start with it\n"
                + "  listen   127.0.0.1:8462 (smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8462:postfix)\n"
                + "  cache    " + cache + ": not there yet: made at the first policy, at most 10000 domains\n"
                + "  zones    default_zone: timeout 4 s, strict_testing false, require_sni true, tlsrpt false, dane true\n"
                + "           strict: timeout 4 s, strict_testing true, require_sni true, tlsrpt false, dane true\n"
                + "  DNS      127.0.0.1:5353 (on this host: its AD bit is trusted for DANE)\n"
                + "  Postfix  " + postfix.resolve("main.cf") + ": smtp_dns_support_level = dnssec (DANE answers work)\n"
                + "  metrics  http://127.0.0.1:9461/metrics\n", r.out());
        assertFalse(Files.exists(cache.getParent()), "nothing made");
    }

    /** DANE needs the AD bit of a resolver on this host: one across a network could have it forged on the way. */
    @Test
    void checkConfigSaysDaneIsOffWithARemoteResolver() throws Exception {
        Path config = Files.writeString(dir.resolve("r.yml"), "cache:\n  type: internal\n");
        Cli r = Cli.run("resolver", "--check-config", "--config", config.toString(), "--dns-server", "192.0.2.53");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("  DNS      192.0.2.53:53; DANE answers are off: the DNS server asked (192.0.2.53:53) is"
                + " not on this host, and its AD bit could be forged on the way; run a validating resolver on 127.0.0.1,"
                + " as Postfix's smtp_dns_support_level = dnssec needs (or set dane: false)\n"), r.out());
    }

    /**
     * Postfix defers the mail it is told dane-only for unless its SMTP client looks DNSSEC up: the check reads the
     * main.cf of the Postfix that asks (Postfix's default is no DNSSEC), and says when it cannot.
     */
    @Test
    void checkConfigSaysDaneIsOffForAPostfixWithoutDnssec() throws Exception {
        Path config = Files.writeString(dir.resolve("r.yml"), "cache:\n  type: internal\n");
        Path postfix = Files.createDirectories(dir.resolve("postfix"));
        Files.writeString(postfix.resolve("main.cf"), "# smtp_dns_support_level = dnssec\nmyhostname = mx.example.com\n");
        Cli r = Cli.run("resolver", "--check-config", "--config", config.toString(), "--dns-server", "127.0.0.1",
                "--postfix-config", postfix.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("  DNS      127.0.0.1:53 (on this host: its AD bit is trusted for DANE)\n"
                + "  Postfix  DANE answers are off: " + postfix.resolve("main.cf") + ": smtp_dns_support_level not set"
                + " (no DNSSEC), and Postfix defers the mail it is told dane-only for unless that is dnssec; set"
                + " smtp_dns_support_level = dnssec there, then systemctl reload mta-sts-resolver (or set dane: false)\n"),
                r.out());

        Cli none = Cli.run("resolver", "--check-config", "--config", config.toString(), "--dns-server", "127.0.0.1",
                "--postfix-config", dir.resolve("elsewhere").toString());
        assertEquals(0, none.exit(), none.err());
        assertTrue(none.out().contains("  Postfix  not read (no " + dir.resolve("elsewhere").resolve("main.cf") + "): DANE"
                + " answers assume smtp_dns_support_level = dnssec in the main.cf of the Postfix that asks\n"), none.out());

        Path nodane = Files.writeString(dir.resolve("nodane.yml"), "default_zone:\n  dane: false\n");
        Cli off = Cli.run("resolver", "--check-config", "--config", nodane.toString(), "--dns-server", "127.0.0.1",
                "--postfix-config", postfix.toString());
        assertFalse(off.out().contains("  Postfix  "), "no DANE asked, nothing to say: " + off.out());
    }

    @Test
    void checkConfigOfAnInvalidFileIsInvalidInput() throws Exception {
        Path config = Files.writeString(dir.resolve("r.yml"), "default_zone:\n  dane: maybe\n");
        Cli r = Cli.run("resolver", "--check-config", "--config", config.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("mta-sts: " + config + ":2: default_zone.dane must be true or false (got \"maybe\")", r.err().strip());
    }

    @Test
    void checkConfigRefusesACacheFileThatIsNotOurs() throws Exception {
        Path db = Files.write(dir.resolve("cache.db"), "SQLite format 3\0...".getBytes(StandardCharsets.ISO_8859_1));
        Path config = Files.writeString(dir.resolve("r.yml"), "cache:\n  type: sqlite\n  options:\n    filename: " + db + "\n");
        Cli r = Cli.run("resolver", "--check-config", "--config", config.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("mta-sts: " + db + " is an SQLite database"), r.err());
    }
}
