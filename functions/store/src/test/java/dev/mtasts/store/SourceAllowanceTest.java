package dev.mtasts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** No source can use up what the report route takes for every sender: an allowance per address and hour. */
class SourceAllowanceTest {
    static final Instant NOW = Instant.parse("2026-11-23T10:17:00Z");
    private static final DynamoDbClient client = LocalTables.client();
    private SourceAllowance allowance;

    @BeforeEach
    void freshTable() {
        ReportStore store = LocalTables.reports("allowance");
        allowance = new SourceAllowance(store, 5);
    }

    @Test
    void aSourceHasItsHourAndOthersTheirs() {
        for (int i = 0; i < 5; i++) {
            assertTrue(allowance.take("198.51.100.7", NOW.plusSeconds(i)));
        }
        assertFalse(allowance.take("198.51.100.7", NOW.plusSeconds(10)));
        assertFalse(allowance.take("198.51.100.7", NOW.plusSeconds(20)));
        // another sender is not held up by the first
        assertTrue(allowance.take("203.0.113.9", NOW.plusSeconds(30)));
        // the next hour, the first may send again
        assertTrue(allowance.take("198.51.100.7", Instant.parse("2026-11-23T11:00:00Z")));
        assertEquals(Duration.ofMinutes(43), SourceAllowance.untilNextHour(NOW));
    }

    /** An IPv6 host has a /64 to pick addresses from: all of them are one source. */
    @Test
    void anIpv6SourceCountsPerSlash64() {
        for (int i = 0; i < 5; i++) {
            assertTrue(allowance.take("2001:db8:1:2::" + Integer.toHexString(i + 1), NOW));
        }
        assertFalse(allowance.take("2001:db8:1:2:ffff:ffff:ffff:ffff", NOW));
        assertTrue(allowance.take("2001:db8:1:3::1", NOW));
    }

    @Test
    void concurrentRequestsCannotExceedTheAllowance() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                tasks.add(() -> allowance.take("198.51.100.8", NOW));
            }
            int granted = 0;
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                granted += f.get() ? 1 : 0;
            }
            assertEquals(5, granted);
        } finally {
            pool.shutdown();
        }
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "198.51.100.7                 | 198.51.100.7",
        "2001:db8:1:2::1              | 2001:db8:1:2::/64",
        "2001:DB8:0001:0002:a:b:c:d   | 2001:db8:1:2::/64",
        "::ffff:198.51.100.7          | 198.51.100.7",
        "null                         | unknown",
        "' '                          | unknown",
        "mail.example.com             | unknown",
        "'198.51.100.7\r\nX: y'       | unknown",
    })
    void sourceKeys(String source, String key) {
        assertEquals(key, SourceAllowance.sourceKey(source));
    }
}
