package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The configuration file: postfix-mta-sts-resolver's mta-sts-daemon.yml keys, read as that daemon reads them. */
class ResolverConfigTest {

    /** The file Debian's postfix-mta-sts-resolver package installs as /etc/mta-sts-daemon.yml. */
    static final String DEBIAN = """
            # host: 127.0.0.1
            # port: 8461
            # reuse_port: true
            # shutdown_timeout: 20
            cache:
              type: sqlite
              options:
                filename: "/var/lib/mta-sts/cache.db"
            # default_zone:
            #   strict_testing: false
            #   timeout: 4
            # zones:
            #   myzone:
            #     strict_testing: false
            #     timeout: 4
            """;

    /** The example of mta-sts-daemon.yml(5). */
    static final String MANUAL = """
            host: 127.0.0.1
            port: 8461
            reuse_port: true
            shutdown_timeout: 20
            proactive_policy_fetching:
              enabled: true
              interval: 86400
              concurrency_limit: 100
              grace_ratio: 2
            cache:
              type: internal
              options:
                cache_size: 10000
            default_zone:
              strict_testing: false
              timeout: 4
            zones:
              myzone:
                strict_testing: false
                timeout: 4
            """;

    @Test
    void anEmptyFileIsEveryDefault() throws Exception {
        ResolverConfig c = ResolverConfig.parse("", "empty.yml");
        assertEquals(ResolverConfig.Listen.DEFAULT, c.listen());
        assertEquals(Duration.ofSeconds(60), c.cacheGrace());
        assertEquals(Duration.ofSeconds(60), c.idleTimeout());
        assertEquals(Duration.ofSeconds(5), c.requestTimeout());
        assertEquals(ResolverConfig.DEFAULT_CACHE_FILE, c.cacheFile());
        assertEquals(10_000, c.cacheSize());
        assertTrue(c.proactive());
        assertEquals(Zone.defaults("default_zone"), c.defaultZone());
        assertTrue(c.zones().isEmpty());
        assertFalse(c.reusePort());
    }

    @Test
    void debiansFileIsReadAsItIs() throws Exception {
        ResolverConfig c = ResolverConfig.parse(DEBIAN, "/etc/mta-sts-daemon.yml");
        assertEquals(Path.of("/var/lib/mta-sts/cache.db"), c.cacheFile());
        assertEquals(ResolverConfig.Listen.DEFAULT, c.listen());
        assertEquals(List.of(), c.notes());
    }

    @Test
    void theManualsExampleIsReadAsItIs() throws Exception {
        ResolverConfig c = ResolverConfig.parse(MANUAL, "mta-sts-daemon.yml");
        assertNull(c.cacheFile(), "type internal: memory only");
        assertTrue(c.reusePort());
        assertEquals(Duration.ofSeconds(20), c.shutdownTimeout());
        assertEquals(Duration.ofDays(1), c.refreshInterval());
        assertEquals(100, c.concurrencyLimit());
        assertEquals(2.0, c.graceRatio());
        assertEquals(new Zone("myzone", false, Duration.ofSeconds(4), true, false, true), c.zones().get("myzone"));
    }

    /** This resolver's own keys, for clients that hold connections open: fractions of a second are allowed. */
    @Test
    void connectionTimeouts() throws Exception {
        ResolverConfig c = ResolverConfig.parse("idle_timeout: 30\nrequest_timeout: 0.5\n", "timeouts.yml");
        assertEquals(Duration.ofSeconds(30), c.idleTimeout());
        assertEquals(Duration.ofMillis(500), c.requestTimeout());
    }

    @Test
    void zonesStartFromTheDefaultZone() throws Exception {
        ResolverConfig c = ResolverConfig.parse("""
                cache_grace: 0.5
                default_zone:
                  timeout: 2.5
                  require_sni: no
                zones:
                  strict:
                    strict_testing: yes
                  reports:
                    tlsrpt: true
                  plain:
                """, "zones.yml");
        assertEquals(Duration.ofMillis(500), c.cacheGrace());
        assertEquals(new Zone("default_zone", false, Duration.ofMillis(2500), false, false, true), c.defaultZone());
        assertEquals(new Zone("strict", true, Duration.ofMillis(2500), false, false, true), c.zones().get("strict"));
        assertEquals(new Zone("reports", false, Duration.ofMillis(2500), false, true, true), c.zones().get("reports"));
        assertEquals(new Zone("plain", false, Duration.ofMillis(2500), false, false, true), c.zones().get("plain"));
    }

    @Test
    void aUnixSocketWithAnOctalMode() throws Exception {
        ResolverConfig c = ResolverConfig.parse("path: /var/spool/postfix/mta-sts/sock\nmode: 0660\n", "unix.yml");
        assertEquals(Path.of("/var/spool/postfix/mta-sts/sock"), c.listen().path());
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), c.listen().mode());
        assertEquals("socketmap:unix:/var/spool/postfix/mta-sts/sock:postfix", c.listen().postfixTable("postfix"));
    }

    @Test
    void sqlitePoolSettingsAreAcceptedAndNoted() throws Exception {
        ResolverConfig c = ResolverConfig.parse("""
                cache:
                  type: sqlite
                  options:
                    filename: /var/lib/mta-sts/resolver.jsonl
                    threads: 4
                    timeout: 5
                """, "sqlite.yml");
        assertEquals(Path.of("/var/lib/mta-sts/resolver.jsonl"), c.cacheFile());
        assertEquals(2, c.notes().size());
        assertTrue(c.notes().get(0).startsWith("cache.options.threads is not used"), c.notes().toString());
    }

    /** Every mistake is one line naming the file, the line and the key. */
    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "default_zone:\\n  strict_tesing: true"     | r.yml:2: unknown key "strict_tesing" in default_zone (did you mean "strict_testing"?); known keys: strict_testing, timeout, require_sni, tlsrpt, dane
            "hots: 127.0.0.1"                           | r.yml:1: unknown key "hots" (did you mean "host"?); known keys: host, port, path, mode, reuse_port, shutdown_timeout, idle_timeout, request_timeout, cache_grace, cache, proactive_policy_fetching, default_zone, zones, metrics
            "cache:\\n  options:\\n    filenme: x"       | r.yml:3: unknown key "filenme" in cache.options (did you mean "filename"?); known keys: filename, cache_size
            "zones:\\n  z:\\n    redis: 1"               | r.yml:3: unknown key "redis" in zones.z; known keys: strict_testing, timeout, require_sni, tlsrpt, dane
            "port: eighty"                              | r.yml:1: port must be a whole number (got "eighty")
            "port: 70000"                               | r.yml:1: port must be 0 to 65535 (got "70000")
            "cache:\\n  type: redis"                     | r.yml:2: cache.type redis is not supported: this resolver keeps its cache in a file of its own (type: file, with options.filename) or in memory only (type: internal)
            "cache:\\n  type: sqlite"                    | r.yml:2: cache.options.filename is missing: where should the cache be kept?
            "cache_grace: soon"                         | r.yml:1: cache_grace (seconds) must be a number (got "soon")
            "default_zone:\\n  timeout: 0"              | r.yml:2: default_zone.timeout must be more than 0 and at most 300 seconds
            "idle_timeout: 0"                           | r.yml:1: idle_timeout must be more than 0 and at most 86400 seconds (got "0")
            "request_timeout: 301"                      | r.yml:1: request_timeout must be more than 0 and at most 300 seconds (got "301")
            "request_timeout: -1"                       | r.yml:1: request_timeout must be more than 0 and at most 300 seconds (got "-1")
            "request_timeout: soon"                     | r.yml:1: request_timeout (seconds) must be a number (got "soon")
            "default_zone:\\n  strict_testing: maybe"   | r.yml:2: default_zone.strict_testing must be true or false (got "maybe")
            "port: 1\\nport: 2"                          | r.yml:2: "port" is given twice (first on line 1)
            "zones: [a, b]"                             | r.yml:1: zones must be a mapping of keys to values
            "- a list"                                  | r.yml:1: the file must be a mapping of keys to values
            "path: relative/sock"                       | r.yml:1: path must be an absolute path (got "relative/sock")
            "host: [unclosed"                           | r.yml:1: not valid YAML (expected ',' or ']', but got <stream end>)
            "default_zone:\n  dane: sometimes"          | r.yml:2: default_zone.dane must be true or false (got "sometimes")
            "metrics: 9461"                             | r.yml:1: metrics must be HOST:PORT (e.g. 127.0.0.1:8461) or the absolute path of a UNIX socket (got "9461")
            "metrics: /run/metrics.sock"                | r.yml:1: metrics must be HOST:PORT, where Prometheus scrapes /metrics (got "/run/metrics.sock")
            """)
    void mistakes(String yaml, String message) {
        ResolverConfig.ConfigException e = assertThrows(ResolverConfig.ConfigException.class,
                () -> ResolverConfig.parse(yaml.replace("\\n", "\n"), "r.yml"));
        assertEquals(message, e.getMessage());
    }

    /** The example shipped beside the systemd unit is a valid file. */
    @Test
    void theShippedExampleIsValid() throws Exception {
        Path example = Path.of("../../infra/systemd/mta-sts-resolver.yml");
        assertTrue(Files.exists(example), example.toAbsolutePath().toString());
        ResolverConfig c = ResolverConfig.read(example);
        assertEquals(Path.of("/var/lib/mta-sts-resolver/cache.jsonl"), c.cacheFile());
        assertEquals(List.of(), c.notes());
    }

    @ParameterizedTest(name = "[{index}] --listen {0}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:8461      | 127.0.0.1:8461
            [::1]:8461          | [::1]:8461
            /run/mta-sts.sock   | /run/mta-sts.sock
            """)
    void listen(String given, String shown) {
        assertEquals(shown, ResolverConfig.Listen.parse(given).toString());
    }

    @ParameterizedTest(name = "[{index}] --listen {0}")
    @CsvSource(delimiter = '|', textBlock = """
            8461                | must be HOST:PORT (e.g. 127.0.0.1:8461) or the absolute path of a UNIX socket (got "8461")
            127.0.0.1:http      | the port must be 0 to 65535 (got "http")
            127.0.0.1:65536     | the port must be 0 to 65535 (got "65536")
            """)
    void badListen(String given, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> ResolverConfig.Listen.parse(given)).getMessage());
    }

    /** DANE first is on unless a zone says otherwise; the counters are served nowhere unless asked. */
    @Test
    void daneAndMetrics() throws Exception {
        ResolverConfig defaults = ResolverConfig.defaults();
        assertTrue(defaults.defaultZone().dane());
        assertNull(defaults.metrics());
        ResolverConfig c = ResolverConfig.parse("metrics: 127.0.0.1:9461\nzones:\n  nodane:\n    dane: false\n", "m.yml");
        assertEquals(new ResolverConfig.Listen("127.0.0.1", 9461, null, null), c.metrics());
        assertTrue(c.defaultZone().dane());
        assertFalse(c.zones().get("nodane").dane());
    }

    /** A reload applies what it can; the line names what waits for the next start. */
    @Test
    void whatOnlyARestartChanges() throws Exception {
        ResolverConfig before = ResolverConfig.parse("port: 8461\ncache_grace: 60\n", "a.yml");
        assertEquals(List.of(), before.restartOnly(ResolverConfig.parse("port: 8461\ncache_grace: 5\n"
                + "default_zone:\n  strict_testing: true\n", "b.yml")));
        assertEquals(List.of("host, port", "cache", "metrics"), before.restartOnly(ResolverConfig.parse(
                "port: 8462\ncache:\n  type: internal\nmetrics: 127.0.0.1:9461\n", "c.yml")));
    }
}
