package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mta-sts resolver} refuses to start, in one line, when it could not do its work. */
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
}
