package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * What the cache takes of the heap, against the estimate by which the resolver warns that {@code cache_size} may not
 * fit: a full cache would end the resolver and, loaded again at each restart, keep Postfix deferring mail.
 */
class CacheHeapTest {

    static long used() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aRememberedDomainTakesLessThanTheEstimate() throws Exception {
        int n = 20_000;
        Instant now = Instant.now();
        Map<String, CachedPolicy> cache = new ConcurrentHashMap<>();
        long before = used();
        for (int i = 0; i < n; i++) {
            String d = "domain" + i + ".example.com";
            Policy p = Policy.parse("version: STSv1\nmode: enforce\nmx: mail." + d + "\nmx: *.mx." + d
                    + "\nmax_age: 604800\n");
            cache.put(d, new CachedPolicy(d, "20250601T000000Z", p, now, now, new MxHosts(List.of("mail." + d,
                    "a.mx." + d), List.of(), false, null, now, null), null));
        }
        long perDomain = (used() - before) / n;
        assertEquals(n, cache.size());
        assertTrue(perDomain < ResolverCommand.BYTES_PER_DOMAIN, perDomain + " bytes a domain");
    }

    @Test
    void theUnitsHeapHoldsTheDefaultCacheAndALargerOneIsSaid() {
        long unitHeap = 64L << 20; // -Xmx64m in infra/systemd/mta-sts-resolver.service
        assertNull(ResolverCommand.heapWarning(10_000, unitHeap));
        assertEquals("cache_size 1000000 may take about 976 MB when full, more than half of the 64 MB heap this JVM may"
                + " use: raise -Xmx in the unit's ExecStart (about 2 MB for each 1,000 domains) or lower cache_size",
                ResolverCommand.heapWarning(1_000_000, unitHeap));
    }
}
