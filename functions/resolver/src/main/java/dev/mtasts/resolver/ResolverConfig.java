package dev.mtasts.resolver;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The resolver's settings, read from a YAML file with the keys and meanings of postfix-mta-sts-resolver's
 * {@code mta-sts-daemon.yml}, so that an existing file can be pointed at as it is, and some of its own: for connections
 * that hold it up ({@code idle_timeout}, {@code request_timeout}), the counters' endpoint ({@code metrics}), and in a
 * zone {@code tlsrpt} and {@code dane}. A key this resolver does not know
 * is an error naming it and its line; a key it knows but has no use for (the SQLite pool's {@code threads}) is
 * accepted and noted.
 *
 * @param cacheFile where valid policies are kept across restarts; null for {@code cache.type: internal} (memory only)
 * @param idleTimeout how long a connection may wait for its next request before it is closed (Postfix opens a new
 *     one when it needs it)
 * @param requestTimeout how long a request may take to arrive whole once its first byte has come, and a reply to be
 *     taken
 * @param cacheGrace how long after a check a domain's {@code _mta-sts} record is not asked again
 * @param refreshInterval how often every cached policy's record is rechecked, whether mail goes there or not
 * @param graceRatio that recheck skips domains checked less than {@code refreshInterval / graceRatio} ago
 * @param metrics where the counters are served for Prometheus ({@code metrics: HOST:PORT}, this resolver's own key);
 *     null, the default, for nowhere
 * @param notes what was accepted but not used, to be logged at start
 */
public record ResolverConfig(Listen listen, boolean reusePort, Duration shutdownTimeout, Duration idleTimeout,
        Duration requestTimeout, Duration cacheGrace,
        Path cacheFile, int cacheSize, boolean proactive, Duration refreshInterval, int concurrencyLimit,
        double graceRatio, Zone defaultZone, Map<String, Zone> zones, Listen metrics, List<String> notes) {

    public static final Path DEFAULT_CACHE_FILE = Path.of(".mta-sts", "resolver-cache.jsonl");

    public ResolverConfig {
        zones = Collections.unmodifiableMap(new LinkedHashMap<>(zones));
        notes = List.copyOf(notes);
    }

    /** Where Postfix connects: TCP ({@code host}, {@code port}) or a UNIX socket ({@code path}, {@code mode}). */
    public record Listen(String host, int port, Path path, Set<PosixFilePermission> mode) {
        public static final Listen DEFAULT = new Listen("127.0.0.1", 8461, null, null);

        /** {@code host:port}, {@code [v6]:port}, or an absolute path for a UNIX socket. */
        public static Listen parse(String text) {
            if (text.startsWith("/")) {
                return new Listen(null, 0, Path.of(text), null);
            }
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || (text.startsWith("[") && text.charAt(colon - 1) != ']')) {
                throw new IllegalArgumentException("must be HOST:PORT (e.g. 127.0.0.1:8461) or the absolute path of a "
                        + "UNIX socket (got \"" + text + "\")");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("the port must be 0 to 65535 (got \"" + text.substring(colon + 1) + "\")");
            }
            return new Listen(host, port, null, null);
        }

        /** The {@code socketmap:} table Postfix is given for this address and a map name. */
        public String postfixTable(String name) {
            return path != null ? "socketmap:unix:" + path + ":" + name
                    : "socketmap:inet:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + ":" + name;
        }

        @Override
        public String toString() {
            return path != null ? path.toString() : (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The settings of {@code next} that differ from these but take effect only when the resolver starts. */
    public List<String> restartOnly(ResolverConfig next) {
        List<String> out = new ArrayList<>();
        if (!listen.equals(next.listen)) {
            out.add(listen.path() != null || next.listen.path() != null ? "path" : "host, port");
        }
        if (reusePort != next.reusePort) {
            out.add("reuse_port");
        }
        if (!java.util.Objects.equals(cacheFile, next.cacheFile)) {
            out.add("cache");
        }
        if (!java.util.Objects.equals(metrics, next.metrics)) {
            out.add("metrics");
        }
        return out;
    }

    /** Whether some zone answers DANE first. */
    public boolean daneWanted() {
        return defaultZone.dane() || zones.values().stream().anyMatch(Zone::dane);
    }

    /** The same settings with DANE answered in no zone. */
    ResolverConfig withoutDane() {
        Map<String, Zone> plain = new LinkedHashMap<>();
        zones.forEach((name, zone) -> plain.put(name, zone.withoutDane()));
        return new ResolverConfig(listen, reusePort, shutdownTimeout, idleTimeout, requestTimeout, cacheGrace, cacheFile,
                cacheSize, proactive, refreshInterval, concurrencyLimit, graceRatio, defaultZone.withoutDane(), plain,
                metrics, notes);
    }

    /** Every setting at its default, as with an empty file. */
    public static ResolverConfig defaults() {
        try {
            return parse("", "(defaults)");
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ResolverConfig read(Path file) throws IOException, ConfigException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(file + ": not a UTF-8 text file");
        }
    }

    public static ResolverConfig parse(String yaml, String source) throws ConfigException {
        return parse(new java.io.StringReader(yaml), source);
    }

    private static ResolverConfig parse(Reader in, String source) throws ConfigException {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(in);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(source + (line > 0 ? ":" + line : "") + ": not valid YAML (" + e.getProblem() + ")");
        } catch (YAMLException e) {
            throw new ConfigException(source + ": not valid YAML (" + e.getMessage() + ")");
        }
        return new Parser(source).config(root);
    }

    /** A file that cannot be used, said in one line that names the file, the line and the key. */
    public static final class ConfigException extends Exception {
        public ConfigException(String message) {
            super(message, null, false, false);
        }
    }

    private static final List<String> TOP = List.of("host", "port", "path", "mode", "reuse_port", "shutdown_timeout",
            "idle_timeout", "request_timeout", "cache_grace", "cache", "proactive_policy_fetching", "default_zone", "zones",
            "metrics");
    private static final List<String> CACHE = List.of("type", "options");
    private static final List<String> PROACTIVE = List.of("enabled", "interval", "concurrency_limit", "grace_ratio");
    private static final List<String> ZONE = List.of("strict_testing", "timeout", "require_sni", "tlsrpt", "dane");

    /** Walks the YAML nodes (not a bound object) so that every complaint can name its line. */
    private static final class Parser {
        private final String source;
        private final List<String> notes = new ArrayList<>();

        Parser(String source) {
            this.source = source;
        }

        ResolverConfig config(Node root) throws ConfigException {
            Map<String, Node> top = isNull(root) ? Map.of() : mapping(root, "", TOP);
            String host = top.containsKey("host") ? string(top.get("host"), "host") : Listen.DEFAULT.host();
            int port = top.containsKey("port") ? (int) integer(top.get("port"), "port", 0, 65535) : Listen.DEFAULT.port();
            Listen listen = new Listen(host, port, null, null);
            if (top.containsKey("path") && !isNull(top.get("path"))) {
                Path path = Path.of(string(top.get("path"), "path"));
                if (!path.isAbsolute()) {
                    throw error(top.get("path"), "path must be an absolute path (got \"" + path + "\")");
                }
                Set<PosixFilePermission> mode = null;
                if (top.containsKey("mode") && !isNull(top.get("mode"))) {
                    mode = permissions((int) integer(top.get("mode"), "mode", 0, 0777));
                }
                listen = new Listen(null, 0, path, mode);
            }
            boolean reusePort = top.containsKey("reuse_port") && bool(top.get("reuse_port"), "reuse_port");
            Duration shutdown = seconds(top, "shutdown_timeout", "shutdown_timeout", Duration.ofSeconds(20));
            Duration idle = timeout(top, "idle_timeout", Duration.ofSeconds(60), 86_400);
            Duration request = timeout(top, "request_timeout", Duration.ofSeconds(5), 300);
            Duration grace = seconds(top, "cache_grace", "cache_grace", Duration.ofSeconds(60));

            Path cacheFile = DEFAULT_CACHE_FILE;
            int cacheSize = 10_000;
            if (top.containsKey("cache") && !isNull(top.get("cache"))) {
                Map<String, Node> cache = mapping(top.get("cache"), "cache", CACHE);
                String type = cache.containsKey("type") ? string(cache.get("type"), "cache.type") : "file";
                List<String> optionKeys = switch (type) {
                    case "internal" -> List.of("cache_size");
                    case "file" -> List.of("filename", "cache_size");
                    case "sqlite" -> List.of("filename", "cache_size", "threads", "timeout");
                    case "redis", "redis_sentinel", "postgres" -> throw error(cache.get("type"), "cache.type " + type
                            + " is not supported: this resolver keeps its cache in a file of its own (type: file,"
                            + " with options.filename) or in memory only (type: internal)");
                    default -> throw error(cache.get("type"), "cache.type must be file, internal or sqlite (got \""
                            + type + "\")");
                };
                Map<String, Node> options = cache.containsKey("options") && !isNull(cache.get("options"))
                        ? mapping(cache.get("options"), "cache.options", optionKeys) : Map.of();
                if (type.equals("internal")) {
                    cacheFile = null;
                } else if (options.containsKey("filename")) {
                    cacheFile = Path.of(string(options.get("filename"), "cache.options.filename"));
                } else if (type.equals("sqlite")) {
                    throw error(top.get("cache"), "cache.options.filename is missing: where should the cache be kept?");
                }
                if (options.containsKey("cache_size")) {
                    cacheSize = (int) integer(options.get("cache_size"), "cache.options.cache_size", 1, 10_000_000);
                }
                for (String unused : List.of("threads", "timeout")) {
                    if (options.containsKey(unused)) {
                        notes.add("cache.options." + unused + " is not used: the cache is a file of this resolver's"
                                + " own, not an SQLite database");
                    }
                }
            }

            boolean proactive = true;
            Duration interval = Duration.ofSeconds(86_400);
            int concurrency = 100;
            double ratio = 2.0;
            if (top.containsKey("proactive_policy_fetching") && !isNull(top.get("proactive_policy_fetching"))) {
                Map<String, Node> p = mapping(top.get("proactive_policy_fetching"), "proactive_policy_fetching", PROACTIVE);
                if (p.containsKey("enabled")) {
                    proactive = bool(p.get("enabled"), "proactive_policy_fetching.enabled");
                }
                interval = seconds(p, "interval", "proactive_policy_fetching.interval", interval);
                if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                    throw error(p.get("interval"), "proactive_policy_fetching.interval must be at least 1 second");
                }
                if (p.containsKey("concurrency_limit")) {
                    concurrency = (int) integer(p.get("concurrency_limit"), "proactive_policy_fetching.concurrency_limit",
                            1, 10_000);
                }
                if (p.containsKey("grace_ratio")) {
                    ratio = number(p.get("grace_ratio"), "proactive_policy_fetching.grace_ratio");
                    if (!(ratio > 0)) {
                        throw error(p.get("grace_ratio"), "proactive_policy_fetching.grace_ratio must be more than 0");
                    }
                }
            }

            Zone defaultZone = zone("default_zone", top.get("default_zone"), Zone.defaults("default_zone"));
            Map<String, Zone> zones = new LinkedHashMap<>();
            if (top.containsKey("zones") && !isNull(top.get("zones"))) {
                for (Map.Entry<String, Node> z : mapping(top.get("zones"), "zones", null).entrySet()) {
                    // a zone states what differs from the default zone
                    zones.put(z.getKey(), zone("zones." + z.getKey(), z.getValue(), defaultZone.named(z.getKey())));
                }
            }
            Listen metrics = null;
            if (top.containsKey("metrics") && !isNull(top.get("metrics"))) {
                try {
                    metrics = Listen.parse(string(top.get("metrics"), "metrics"));
                } catch (IllegalArgumentException e) {
                    throw error(top.get("metrics"), "metrics " + e.getMessage());
                }
                if (metrics.path() != null) {
                    throw error(top.get("metrics"), "metrics must be HOST:PORT, where Prometheus scrapes /metrics (got \""
                            + metrics.path() + "\")");
                }
            }
            return new ResolverConfig(listen, reusePort, shutdown, idle, request, grace, cacheFile, cacheSize, proactive, interval,
                    concurrency, ratio, defaultZone, zones, metrics, notes);
        }

        private Zone zone(String path, Node node, Zone base) throws ConfigException {
            if (isNull(node)) {
                return base;
            }
            Map<String, Node> z = mapping(node, path, ZONE);
            Duration timeout = seconds(z, "timeout", path + ".timeout", base.timeout());
            if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw error(z.get("timeout"), path + ".timeout must be more than 0 and at most 300 seconds");
            }
            return new Zone(base.name(),
                    z.containsKey("strict_testing") ? bool(z.get("strict_testing"), path + ".strict_testing") : base.strictTesting(),
                    timeout,
                    z.containsKey("require_sni") ? bool(z.get("require_sni"), path + ".require_sni") : base.requireSni(),
                    z.containsKey("tlsrpt") ? bool(z.get("tlsrpt"), path + ".tlsrpt") : base.tlsrpt(),
                    z.containsKey("dane") ? bool(z.get("dane"), path + ".dane") : base.dane());
        }

        /** A mapping's entries by key; with {@code known}, any other key is an error (a repeated one too). */
        private Map<String, Node> mapping(Node node, String path, List<String> known) throws ConfigException {
            String what = path.isEmpty() ? "the file" : path;
            if (!(node instanceof MappingNode m)) {
                throw error(node, what + " must be a mapping of keys to values");
            }
            Map<String, Node> out = new LinkedHashMap<>();
            Map<String, Integer> lines = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw error(t.getKeyNode(), "a key in " + what + " must be a plain name");
                }
                String key = k.getValue();
                if (known != null && !known.contains(key)) {
                    String near = nearest(key, known);
                    throw error(k, "unknown key \"" + key + "\"" + (path.isEmpty() ? "" : " in " + path)
                            + (near != null ? " (did you mean \"" + near + "\"?)" : "")
                            + "; known keys: " + String.join(", ", known));
                }
                Integer before = lines.putIfAbsent(key, line(k));
                if (before != null) {
                    throw error(k, "\"" + key + "\" is given twice" + (path.isEmpty() ? "" : " in " + path)
                            + " (first on line " + before + ")");
                }
                out.put(key, t.getValueNode());
            }
            return out;
        }

        private String string(Node node, String key) throws ConfigException {
            if (!(node instanceof ScalarNode s) || s.getTag().equals(Tag.NULL)) {
                throw error(node, key + " must be a text value");
            }
            return s.getValue();
        }

        private boolean bool(Node node, String key) throws ConfigException {
            if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
                String v = s.getValue().toLowerCase(Locale.ROOT);
                return v.equals("true") || v.equals("yes") || v.equals("on");
            }
            throw error(node, key + " must be true or false (got " + shown(node) + ")");
        }

        /** A YAML 1.1 integer as PyYAML reads it: decimal, 0x hex, and 0-prefixed octal ({@code mode: 0666}). */
        private long integer(Node node, String key, long min, long max) throws ConfigException {
            long v;
            if (node instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
                String t = s.getValue().replace("_", "");
                boolean negative = t.startsWith("-");
                if (t.startsWith("-") || t.startsWith("+")) {
                    t = t.substring(1);
                }
                try {
                    if (t.startsWith("0x")) {
                        v = Long.parseLong(t.substring(2), 16);
                    } else if (t.startsWith("0o")) {
                        v = Long.parseLong(t.substring(2), 8);
                    } else if (t.length() > 1 && t.startsWith("0")) {
                        v = Long.parseLong(t.substring(1), 8);
                    } else {
                        v = Long.parseLong(t);
                    }
                } catch (NumberFormatException e) {
                    throw error(node, key + " must be a whole number (got " + shown(node) + ")");
                }
                v = negative ? -v : v;
            } else {
                throw error(node, key + " must be a whole number (got " + shown(node) + ")");
            }
            if (v < min || v > max) {
                throw error(node, key + " must be " + min + " to " + max + " (got " + shown(node) + ")");
            }
            return v;
        }

        private double number(Node node, String key) throws ConfigException {
            if (node instanceof ScalarNode s && (s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT))) {
                try {
                    double d = Double.parseDouble(s.getValue().replace("_", ""));
                    if (Double.isFinite(d)) {
                        return d;
                    }
                } catch (NumberFormatException e) {
                    // said below
                }
            }
            throw error(node, key + " must be a number (got " + shown(node) + ")");
        }

        /** A time limit: more than 0 and at most {@code max} seconds. */
        private Duration timeout(Map<String, Node> m, String key, Duration otherwise, int max) throws ConfigException {
            Node node = m.get(key);
            if (node == null) {
                return otherwise;
            }
            double s = number(node, key + " (seconds)");
            if (!(s >= 0.001 && s <= max)) {
                throw error(node, key + " must be more than 0 and at most " + max + " seconds (got " + shown(node) + ")");
            }
            return Duration.ofMillis(Math.round(s * 1000));
        }

        private Duration seconds(Map<String, Node> m, String name, String key, Duration otherwise) throws ConfigException {
            Node node = m.get(name);
            if (node == null) {
                return otherwise;
            }
            double s = number(node, key + " (seconds)");
            if (s < 0 || s > 366 * 86400.0) {
                throw error(node, key + " must be 0 to 31622400 seconds (got " + shown(node) + ")");
            }
            return Duration.ofMillis(Math.round(s * 1000));
        }

        private static Set<PosixFilePermission> permissions(int mode) {
            Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
            for (int i = 0; i < bits.length; i++) {
                if ((mode & (1 << i)) != 0) {
                    out.add(bits[i]);
                }
            }
            return out;
        }

        private static boolean isNull(Node node) {
            return node == null || (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
        }

        private static String shown(Node node) {
            if (node instanceof ScalarNode s) {
                return "\"" + (s.getValue().length() > 40 ? s.getValue().substring(0, 37) + "..." : s.getValue()) + "\"";
            }
            return node instanceof MappingNode ? "a mapping" : "a list";
        }

        private static int line(Node node) {
            return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        }

        private ConfigException error(Node node, String message) {
            int line = node == null ? 0 : line(node);
            return new ConfigException(source + (line > 0 ? ":" + line : "") + ": " + message);
        }

        /** The known key a typo most likely meant: at most two edits away. */
        private static String nearest(String key, List<String> known) {
            String best = null;
            int bestDistance = 3;
            for (String k : known) {
                int d = distance(key.toLowerCase(Locale.ROOT), k);
                if (d < bestDistance) {
                    best = k;
                    bestDistance = d;
                }
            }
            return best;
        }

        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }
    }
}
