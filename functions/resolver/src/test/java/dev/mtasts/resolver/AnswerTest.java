package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.Policy;
import dev.mtasts.sender.Dns;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What Postfix is told for a cached policy (RFC 8461 §4.1, §5): the MX hosts a pattern matches, by their exact names
 * in MX order ({@code *.example.net} is one label, never two, whatever Postfix would make of {@code .example.net});
 * nothing for testing (unless strict_testing) and none; a deferral when an enforce policy leaves no MX host.
 */
class AnswerTest {
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    /** {@code "10 a.example.net, 20 b.example.net"}, sorted by preference then name as {@link Dns#mx} gives them. */
    static List<Dns.Mx> mx(String records) {
        List<Dns.Mx> out = new ArrayList<>();
        if (!records.isBlank()) {
            for (String r : records.split(",")) {
                String[] p = r.strip().split(" ");
                out.add(new Dns.Mx(Integer.parseInt(p[0]), p[1]));
            }
        }
        return out;
    }

    static CachedPolicy cached(String mode, String patterns, String records) throws Exception {
        Policy policy = Policy.of(mode, patterns.isBlank() ? List.of() : Arrays.asList(patterns.split(",")), "604800");
        return new CachedPolicy("example.com", "abc123", policy, NOW.minusSeconds(60), NOW.minusSeconds(60),
                MxHosts.of("example.com", mx(records), policy, NOW), null);
    }

    @ParameterizedTest(name = "[{index}] {0} mx {1}; MX {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            enforce | mail.example.com                  | 10 mail.example.com                                        | OK secure match=mail.example.com servername=hostname
            enforce | mail.example.com,*.mx.example.net | 10 mail.example.com, 20 mx1.mx.example.net, 20 mx2.mx.example.net | OK secure match=mail.example.com:mx1.mx.example.net:mx2.mx.example.net servername=hostname
            enforce | *.example.net                     | 10 a.example.net, 20 b.c.example.net, 30 example.net     | OK secure match=a.example.net servername=hostname
            enforce | mail.example.com                  | 10 mail.example.com, 20 mail.example.com                  | OK secure match=mail.example.com servername=hostname
            enforce | example.com                       | ""                                                         | OK secure match=example.com servername=hostname
            enforce | mail.example.com                  | ""                                                         | TEMP MTA-STS enforce policy abc123
            enforce | mail.example.com                  | 10 mail.example.org                                        | TEMP MTA-STS enforce policy abc123
            enforce | mail.example.com                  | 0 .                                                        | "NOTFOUND "
            testing | mail.example.com                  | 10 mail.example.com                                        | "NOTFOUND "
            none    | ""                                | 10 mail.example.com                                        | "NOTFOUND "
            """)
    void defaultZone(String mode, String patterns, String records, String reply) throws Exception {
        Answer a = Answer.of(cached(mode, patterns, records), Zone.defaults("postfix"), NOW);
        if (reply.startsWith("TEMP")) {
            assertTrue(a.reply().startsWith(reply), a.reply());
            assertTrue(a.reply().endsWith(": deferred until the policy or the MX records change"), a.reply());
        } else {
            assertEquals(reply, a.reply(), a.reason());
        }
    }

    @Test
    void strictTestingAnswersTestingAsEnforce() throws Exception {
        Zone strict = new Zone("strict", true, Duration.ofSeconds(4), true, false);
        Answer a = Answer.of(cached("testing", "mail.example.com", "10 mail.example.com"), strict, NOW);
        assertEquals("OK secure match=mail.example.com servername=hostname", a.reply());
        assertTrue(a.reason().contains("testing, answered as enforce: strict_testing is on for strict"), a.reason());
    }

    @Test
    void withoutSniForPostfixBefore34() throws Exception {
        Zone old = new Zone("postfix", false, Duration.ofSeconds(4), false, false);
        assertEquals("OK secure match=mail.example.com",
                Answer.of(cached("enforce", "mail.example.com", "10 mail.example.com"), old, NOW).reply());
    }

    @Test
    void tlsrptAttributesForPostfix310() throws Exception {
        Zone tlsrpt = new Zone("postfix", false, Duration.ofSeconds(4), true, true);
        assertEquals("OK secure match=mail.example.com servername=hostname policy_type=sts policy_domain=example.com"
                        + " mx_host_pattern=mail.example.com mx_host_pattern=*.mx.example.net",
                Answer.of(cached("enforce", "mail.example.com,*.mx.example.net", "10 mail.example.com"), tlsrpt, NOW).reply());
    }

    @Test
    void theReasonSaysWhatWasLeftOut() throws Exception {
        Answer a = Answer.of(cached("enforce", "*.example.net", "10 a.example.net, 20 b.c.example.net"),
                Zone.defaults("postfix"), NOW);
        assertEquals("enforce policy abc123, fetched 60 s ago, valid 6 d more; MX a.example.net matches;"
                + " b.c.example.net matches no pattern, so Postfix will not accept its certificate", a.reason());
    }

    @Test
    void anMxLookupThatFailedDefersEnforce() {
        Policy p = new Policy(dev.mtasts.core.Mode.ENFORCE, List.of(new dev.mtasts.core.MxPattern("mail.example.com")), 86400);
        CachedPolicy c = new CachedPolicy("example.com", "abc123", p, NOW, NOW,
                MxHosts.unknown("the MX lookup failed: timed out", NOW), null);
        Answer a = Answer.of(c, Zone.defaults("postfix"), NOW);
        assertEquals("TEMP MTA-STS enforce policy abc123, fetched just now, valid 24 h more; the MX lookup failed: timed"
                + " out: deferred until the policy or the MX records change", a.reply());
    }
}
