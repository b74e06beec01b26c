package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache file: what is written is read back the same (what DNSSEC said of the MX hosts too); what is not ours is
 * refused, not overwritten.
 */
class CacheFileTest {
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @TempDir
    Path dir;

    static CacheFile.Saved saved(String domain, long maxAge, Instant fetched) throws Exception {
        return saved(domain, maxAge, fetched, new Dane(List.of("mail." + domain), false,
                "DNSSEC-validated MX records; usable TLSA records for mail." + domain));
    }

    static CacheFile.Saved saved(String domain, long maxAge, Instant fetched, Dane dane) throws Exception {
        Policy p = Policy.parse("version: STSv1\nmode: enforce\nmx: mail." + domain + "\nmx: *.mx." + domain
                + "\nmax_age: " + maxAge + "\nx-note: kept\n");
        return new CacheFile.Saved(new CachedPolicy(domain, "id" + maxAge, p, fetched, fetched.plusSeconds(5),
                new MxHosts(List.of("mail." + domain), List.of("other.example.org"), false, null, fetched, dane), null),
                fetched.plusSeconds(30));
    }

    @Test
    void writtenPoliciesAreReadBack() throws Exception {
        CacheFile f = new CacheFile(dir.resolve("sub").resolve("cache.jsonl"));
        f.checkWritable();
        CacheFile.Saved a = saved("example.com", 604800, NOW.minusSeconds(3600));
        CacheFile.Saved expired = saved("example.org", 600, NOW.minusSeconds(3600));
        CacheFile.Saved failedTlsa = saved("example.net", 86400, NOW.minusSeconds(60), new Dane(List.of(), true,
                "the TLSA lookup for mail.example.net failed (timed out), so DANE may apply"));
        f.write(List.of(a, expired, failedTlsa));
        CacheFile.Loaded back = f.read(NOW);
        assertEquals(List.of(a, failedTlsa), back.policies());
        assertTrue(back.policies().get(1).policy().mx().dane().applies(), "a failed TLSA lookup still answers DANE");
        assertEquals(1, back.expired());
        assertEquals(List.of(), back.skipped());
    }

    @Test
    void aDamagedLineIsSkippedNotTheFile() throws Exception {
        CacheFile f = new CacheFile(dir.resolve("cache.jsonl"));
        CacheFile.Saved a = saved("example.com", 604800, NOW.minusSeconds(60));
        f.write(List.of(a));
        Files.writeString(f.path(), Files.readString(f.path())
                + "{\"domain\":\"bad.example\",\"id\":\"x\",\"fetched\":1,\"policy\":\"mode: enforce\"}\nnot json\n");
        CacheFile.Loaded back = f.read(NOW);
        assertEquals(List.of(a), back.policies());
        assertEquals(2, back.skipped().size(), back.skipped().toString());
        assertTrue(back.skipped().get(0).startsWith(f.path() + ":3: "), back.skipped().toString());
    }

    @Test
    void postfixMtaStsResolversSqliteDatabaseIsRefused() throws Exception {
        Path db = Files.write(dir.resolve("cache.db"), "SQLite format 3\0 and pages".getBytes(StandardCharsets.ISO_8859_1));
        CacheFile.Unusable e = assertThrows(CacheFile.Unusable.class, () -> new CacheFile(db).checkWritable());
        assertEquals(db + " is an SQLite database (postfix-mta-sts-resolver's cache?); this resolver keeps its cache in a"
                + " file of its own: set cache.options.filename to another file, e.g. " + dir.resolve("resolver-cache.jsonl"),
                e.getMessage());
        assertEquals("SQLite format 3\0 and pages", Files.readString(db, StandardCharsets.ISO_8859_1), "left as it was");
    }

    @Test
    void anotherFileIsRefused() throws Exception {
        Path other = Files.writeString(dir.resolve("notes.txt"), "my notes\n");
        assertThrows(CacheFile.Unusable.class, () -> new CacheFile(other).checkWritable());
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("state"), "");
        CacheFile.Unusable e = assertThrows(CacheFile.Unusable.class,
                () -> new CacheFile(file.resolve("cache.jsonl")).checkWritable());
        assertEquals("cannot write the cache file " + file.resolve("cache.jsonl") + ": " + file + " is not a directory",
                e.getMessage());
    }
}
