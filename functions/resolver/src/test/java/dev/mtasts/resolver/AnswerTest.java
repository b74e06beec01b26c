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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Postfix is told for a cached policy (RFC 8461 §4.1, §5): the MX hosts a pattern matches, by their exact names
 * in MX order ({@code *.example.net} is one label, never two, whatever Postfix would make of {@code .example.net});
 * nothing for testing (unless strict_testing) and none; a deferral when an enforce policy leaves no MX host; DANE
 * first (§2); the TLSRPT attributes of Postfix 3.10, read back the way Postfix reads them.
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
        Zone strict = new Zone("strict", true, Duration.ofSeconds(4), true, false, true);
        Answer a = Answer.of(cached("testing", "mail.example.com", "10 mail.example.com"), strict, NOW);
        assertEquals("OK secure match=mail.example.com servername=hostname", a.reply());
        assertTrue(a.reason().contains("testing, answered as enforce: strict_testing is on for strict"), a.reason());
    }

    @Test
    void withoutSniForPostfixBefore34() throws Exception {
        Zone old = new Zone("postfix", false, Duration.ofSeconds(4), false, false, true);
        assertEquals("OK secure match=mail.example.com",
                Answer.of(cached("enforce", "mail.example.com", "10 mail.example.com"), old, NOW).reply());
    }

    static Zone zone(boolean strictTesting, boolean tlsrpt, boolean dane) {
        return new Zone("postfix", strictTesting, Duration.ofSeconds(4), true, tlsrpt, dane);
    }

    static CachedPolicy withDane(CachedPolicy c, Dane dane) {
        MxHosts m = c.mx();
        return new CachedPolicy(c.domain(), c.id(), c.policy(), c.fetched(), c.checked(),
                new MxHosts(m.matching(), m.others(), m.nullMx(), m.problem(), m.resolved(), dane), c.failure());
    }

    /** RFC 8460 §4.4 through Postfix 3.10's attributes, read as Postfix reads them: what the report says the policy was. */
    @Test
    void tlsrptAttributesForPostfix310() throws Exception {
        Answer a = Answer.of(cached("enforce", "mail.example.com,*.mx.example.net", "10 mail.example.com"),
                zone(false, true, true), NOW);
        assertTrue(a.reply().startsWith("OK secure match=mail.example.com servername=hostname policy_type=sts"), a.reply());
        PostfixPolicy p = PostfixPolicy.read(a.reply().substring(3));
        assertEquals("secure", p.level());
        assertEquals(List.of("match", "servername", "policy_type", "policy_domain", "mx_host_pattern", "policy_string"),
                p.names());
        assertEquals(List.of("mail.example.com"), p.values("match"));
        assertEquals(List.of("sts"), p.values("policy_type"));
        assertEquals(List.of("example.com"), p.values("policy_domain"));
        assertEquals(List.of("mail.example.com", "*.mx.example.net"), p.values("mx_host_pattern"));
        assertEquals(List.of("version: STSv1", "mode: enforce", "mx: mail.example.com", "mx: *.mx.example.net",
                "max_age: 604800"), p.values("policy_string"));
    }

    /**
     * A policy host writes the extension lines, and Postfix reads an answer's attributes up to a separator outside
     * braces: no line can end its policy_string early and add an attribute (a match of its own) to the answer.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"x-evil: } match=evil.example {", "x-evil: }, match=evil.example", "x-evil: {",
        "x-evil: a } b { c", "x-evil: }}}} servername=evil.example", "x-note: \u00fcnicode"})
    void anExtensionLineCannotAddAnAttribute(String line) throws Exception {
        Policy policy = Policy.parse("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n" + line
                + "\nx-kept: a   spaced, value\n");
        CachedPolicy c = new CachedPolicy("example.com", "abc123", policy, NOW, NOW,
                MxHosts.of("example.com", mx("10 mail.example.com"), policy, NOW), null);
        Answer a = Answer.of(c, zone(false, true, true), NOW);
        PostfixPolicy p = PostfixPolicy.read(a.reply().substring(3));
        assertEquals(List.of("mail.example.com"), p.values("match"), a.reply());
        assertEquals(List.of("hostname"), p.values("servername"), a.reply());
        assertEquals(List.of("match", "servername", "policy_type", "policy_domain", "mx_host_pattern", "policy_string"),
                p.names(), a.reply());
        assertEquals(List.of("version: STSv1", "mode: enforce", "mx: mail.example.com", "max_age: 604800",
                "x-kept: a spaced, value"), p.values("policy_string"), a.reply());
    }

    /**
     * Enforce, and no MX host matches: without TLSRPT the mail is deferred unseen; with it Postfix is told to fail the
     * policy (policy_failure) so that the receiving domain gets a report of it, and still delivers nothing.
     */
    @Test
    void noMatchingMxIsAFailureReportedToTheDomain() throws Exception {
        CachedPolicy c = cached("enforce", "mail.example.com", "10 mail.example.org");
        assertTrue(Answer.of(c, zone(false, false, true), NOW).reply().startsWith("TEMP "));
        Answer a = Answer.of(c, zone(false, true, true), NOW);
        PostfixPolicy p = PostfixPolicy.read(a.reply().substring(3));
        assertEquals("secure", p.level());
        assertEquals(List.of("validation-failure"), p.values("policy_failure"), a.reply());
        assertEquals(List.of(), p.values("match"), "nothing Postfix could match: the failure is forced anyway");
        assertTrue(a.reason().endsWith("no MX host of example.com (mail.example.org) matches the policy's mx"
                + " [mail.example.com]: Postfix fails the policy (validation-failure), reports it to example.com and"
                + " defers the mail"), a.reason());
        // our own MX lookup failing is no failure of the domain's: deferred, not reported
        Policy policy = c.policy();
        CachedPolicy unknown = new CachedPolicy("example.com", "abc123", policy, NOW, NOW,
                MxHosts.unknown("the MX lookup failed: timed out", NOW), null);
        assertTrue(Answer.of(unknown, zone(false, true, true), NOW).reply().startsWith("TEMP "));
    }

    static final Dane COVERED = new Dane(List.of("mail.example.com"), false,
            "DNSSEC-validated MX records; usable TLSA records for mail.example.com");
    static final Dane FAILED = new Dane(List.of(), true,
            "the TLSA lookup for mail.example.com failed (timed out), so DANE may apply");
    static final Dane UNSIGNED = Dane.not("the MX records are not DNSSEC-validated");

    /**
     * DANE before MTA-STS (RFC 8461 §2): where the policy asks for something and DNSSEC-validated TLSA records cover
     * the MX hosts, or a TLSA lookup failed so that DANE may apply, Postfix is told dane-only (with no TLSRPT
     * attributes: Postfix reports DANE itself), unless the zone turns it off; where the policy asks nothing, Postfix's
     * own settings still apply.
     */
    @ParameterizedTest(name = "[{index}] {0} strict {1}, dane {2}, TLSA {3}, MX {4}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            enforce | false | true  | covered  | 10 mail.example.com | OK dane-only
            enforce | false | false | covered  | 10 mail.example.com | OK secure match=mail.example.com servername=hostname
            enforce | false | true  | unsigned | 10 mail.example.com | OK secure match=mail.example.com servername=hostname
            enforce | false | true  | unasked  | 10 mail.example.com | OK secure match=mail.example.com servername=hostname
            enforce | false | true  | failed   | 10 mail.example.com | OK dane-only
            enforce | false | false | failed   | 10 mail.example.com | OK secure match=mail.example.com servername=hostname
            enforce | false | true  | covered  | 10 mail.example.org | OK dane-only
            testing | false | true  | covered  | 10 mail.example.com | "NOTFOUND "
            testing | true  | true  | covered  | 10 mail.example.com | OK dane-only
            enforce | false | true  | covered  | 0 .                 | "NOTFOUND "
            """)
    void daneBeforeMtaSts(String mode, boolean strict, boolean dane, String tlsa, String records, String reply)
            throws Exception {
        Dane d = switch (tlsa) {
            case "covered" -> COVERED;
            case "unsigned" -> UNSIGNED;
            case "failed" -> FAILED;
            default -> null;
        };
        CachedPolicy c = withDane(cached(mode, "mail.example.com", records), d);
        for (boolean tlsrpt : new boolean[] {false, true}) {
            Answer a = Answer.of(c, zone(strict, tlsrpt, dane), NOW);
            if (tlsrpt && reply.startsWith("OK secure")) {
                assertTrue(a.reply().startsWith(reply + " policy_type=sts"), a.reply());
            } else {
                assertEquals(reply, a.reply(), a.reason());
            }
            if (reply.equals("OK dane-only")) {
                assertTrue(a.reason().startsWith("DANE before MTA-STS (RFC 8461 §2): " + d.why() + "; the " + mode
                        + " policy abc123"), a.reason());
            }
        }
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
