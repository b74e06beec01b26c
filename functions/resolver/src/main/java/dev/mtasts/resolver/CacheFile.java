package dev.mtasts.resolver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Policy;
import dev.mtasts.core.StsRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The cached policies on disk, so that a restart keeps them (RFC 8461 §5.1: a policy applies for its max_age, and a
 * sender that forgot it would trust whatever an attacker lets it fetch next). One JSON object per line, the first
 * saying what the file is; each policy is kept as its body and parsed again, by the same strict rules, when read.
 * Written to a temporary file and renamed over the old one, so a crash leaves one or the other, never half of one.
 */
final class CacheFile {
    static final String KIND = "mta-sts resolver cache";
    static final int VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] SQLITE = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final Path path;

    CacheFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** The file cannot be used as this resolver's cache at all. */
    static final class Unusable extends IOException {
        Unusable(String message) {
            super(message);
        }
    }

    /** A policy and when a lookup last asked for it (what decides whether it is refreshed before it expires). */
    record Saved(CachedPolicy policy, Instant used) {
    }

    /** What was read: the policies still valid, and the lines that could not be used, with why. */
    record Loaded(List<Saved> policies, int expired, List<String> skipped) {
    }

    /**
     * Refuses, rather than overwrites, a file that is not one of ours: most likely postfix-mta-sts-resolver's SQLite
     * database, named in a configuration file pointed at as it is.
     */
    void checkWritable() throws IOException {
        if (!Files.exists(path)) {
            Path dir = path.toAbsolutePath().getParent();
            try {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                throw new Unusable("cannot write the cache file " + path + ": " + e.getFile() + " is not a directory");
            }
            if (!Files.isWritable(dir)) {
                throw new Unusable("cannot write the cache file " + path + ": " + dir + " is not writable");
            }
            return;
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(SQLITE.length);
        }
        if (Arrays.equals(head, SQLITE)) {
            throw new Unusable(path + " is an SQLite database (postfix-mta-sts-resolver's cache?); this resolver keeps"
                    + " its cache in a file of its own: set cache.options.filename to another file, e.g. "
                    + path.resolveSibling("resolver-cache.jsonl"));
        }
        if (head.length > 0 && head[0] != '{') {
            throw new Unusable(path + " is not a cache file of this resolver; move it away or set cache.options.filename"
                    + " to another file");
        }
        if (!Files.isWritable(path)) {
            throw new Unusable("cannot write the cache file " + path + " (permission denied)");
        }
    }

    /**
     * What {@code --check-config} says of the file, without creating or writing anything: how many valid policies it
     * holds, or that it will be made; {@link Unusable} when the resolver could not use it.
     */
    String check(Instant now) throws IOException {
        if (Files.exists(path)) {
            checkWritable();
            Loaded l = read(now);
            return l.policies().size() + " valid " + (l.policies().size() == 1 ? "policy" : "policies")
                    + (l.expired() > 0 ? ", " + l.expired() + " expired" : "")
                    + (l.skipped().isEmpty() ? "" : ", " + l.skipped().size() + " damaged lines skipped");
        }
        Path dir = path.toAbsolutePath().getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new Unusable("cannot write the cache file " + path + ": " + dir + " is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new Unusable("cannot write the cache file " + path + ": " + dir + " is not writable");
        }
        return "not there yet: made at the first policy";
    }

    Loaded read(Instant now) throws IOException {
        List<Saved> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int expired = 0;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                return new Loaded(out, 0, skipped);
            }
            if (!header.contains("\"" + KIND + "\"") || !header.contains("\"version\":" + VERSION)) {
                throw new Unusable(path + " is not a version " + VERSION + " cache file of this resolver");
            }
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Saved p = entry(line);
                    if (p.policy().valid(now)) {
                        out.add(p);
                    } else {
                        expired++;
                    }
                } catch (IOException | InvalidException | RuntimeException e) {
                    skipped.add(path + ":" + n + ": " + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            return new Loaded(out, 0, skipped);
        }
        return new Loaded(out, expired, skipped);
    }

    void write(Collection<Saved> policies) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("{\"kind\":\"" + KIND + "\",\"version\":" + VERSION + "}\n");
            for (Saved p : policies) {
                w.write(line(p));
                w.write('\n');
            }
        }
        try {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String line(Saved saved) throws IOException {
        CachedPolicy p = saved.policy();
        StringWriter s = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(s)) {
            g.writeStartObject();
            g.writeStringField("domain", p.domain());
            g.writeStringField("id", p.id());
            g.writeNumberField("fetched", p.fetched().toEpochMilli());
            g.writeNumberField("checked", p.checked().toEpochMilli());
            g.writeNumberField("used", saved.used().toEpochMilli());
            g.writeStringField("policy", p.policy().render());
            MxHosts mx = p.mx();
            strings(g, "mx", mx.matching());
            strings(g, "other_mx", mx.others());
            g.writeBooleanField("null_mx", mx.nullMx());
            if (mx.problem() != null) {
                g.writeStringField("mx_problem", mx.problem());
            }
            g.writeNumberField("mx_resolved", mx.resolved().toEpochMilli());
            if (mx.dane() != null) {
                strings(g, "dane_tlsa", mx.dane().tlsa());
                if (mx.dane().failed()) {
                    g.writeBooleanField("dane_failed", true);
                }
                g.writeStringField("dane_why", mx.dane().why());
            }
            g.writeEndObject();
        }
        return s.toString();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    static Saved entry(String line) throws IOException, InvalidException {
        String domain = null;
        String id = null;
        String body = null;
        Long fetched = null;
        long checked = 0;
        long used = 0;
        long resolved = 0;
        boolean nullMx = false;
        String problem = null;
        List<String> mx = List.of();
        List<String> others = List.of();
        List<String> daneTlsa = List.of();
        boolean daneFailed = false;
        String daneWhy = null;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "domain" -> domain = p.getValueAsString();
                    case "id" -> id = p.getValueAsString();
                    case "policy" -> body = p.getValueAsString();
                    case "fetched" -> fetched = p.getLongValue();
                    case "checked" -> checked = p.getLongValue();
                    case "used" -> used = p.getLongValue();
                    case "mx_resolved" -> resolved = p.getLongValue();
                    case "null_mx" -> nullMx = p.getBooleanValue();
                    case "mx_problem" -> problem = p.getValueAsString();
                    case "mx" -> mx = strings(p, t);
                    case "other_mx" -> others = strings(p, t);
                    case "dane_tlsa" -> daneTlsa = strings(p, t);
                    case "dane_failed" -> daneFailed = p.getBooleanValue();
                    case "dane_why" -> daneWhy = p.getValueAsString();
                    default -> p.skipChildren();
                }
            }
        }
        if (domain == null || id == null || body == null || fetched == null) {
            throw new IOException("an entry needs domain, id, policy and fetched");
        }
        if (!StsRecord.isValidId(id)) {
            throw new IOException("invalid policy id \"" + id + "\"");
        }
        Policy policy = Policy.parse(body);
        return new Saved(new CachedPolicy(DomainName.parse(domain).value(), id, policy, Instant.ofEpochMilli(fetched),
                Instant.ofEpochMilli(checked), new MxHosts(mx, others, nullMx, problem, Instant.ofEpochMilli(resolved),
                daneWhy == null ? null : new Dane(daneTlsa, daneFailed, daneWhy)), null), Instant.ofEpochMilli(used));
    }

    private static List<String> strings(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw new IOException("\"" + p.currentName() + "\" must be a list");
        }
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(p.getValueAsString());
        }
        return out;
    }
}
