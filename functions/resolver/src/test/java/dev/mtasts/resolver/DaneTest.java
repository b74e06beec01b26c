package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtasts.sender.Dns;
import dev.mtasts.sender.DnsServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DANE before MTA-STS: what the AD bit of a validating resolver (an in-process DNS server answering with and without
 * it) and the TLSA records of the MX hosts make of a domain; RFC 7672 §3.1's usable records.
 */
class DaneTest {
    static final String SHA256 = "0123456789abcdef".repeat(4);
    static DnsServer server;
    static Dns dns;

    @BeforeAll
    static void start() throws Exception {
        server = new DnsServer()
                // every MX host with usable TLSA records
                .add("covered.example. 300 IN MX 10 mx.covered.example.")
                .add("_25._tcp.mx.covered.example. 300 IN TLSA 3 1 1 " + SHA256)
                // one MX host with, one without
                .add("partial.example. 300 IN MX 10 mx1.partial.example.")
                .add("partial.example. 300 IN MX 20 mx2.partial.example.")
                .add("_25._tcp.mx1.partial.example. 300 IN TLSA 2 0 1 " + SHA256)
                // TLSA records, none usable in SMTP (PKIX-EE, RFC 7672 §3.1.3)
                .add("pkix.example. 300 IN MX 10 mx.pkix.example.")
                .add("_25._tcp.mx.pkix.example. 300 IN TLSA 1 1 1 " + SHA256)
                // validated MX, the host in an unsigned zone
                .add("hosted.example. 300 IN MX 10 mx.unsigned-host.example.")
                .add("_25._tcp.mx.unsigned-host.example. 300 IN TLSA 3 1 1 " + SHA256)
                // TLSA records in a zone that is not signed
                .add("unsigned.example. 300 IN MX 10 mx.unsigned.example.")
                .add("_25._tcp.mx.unsigned.example. 300 IN TLSA 3 1 1 " + SHA256)
                // a bogus TLSA answer: a validating resolver answers SERVFAIL
                .add("bogus.example. 300 IN MX 10 mx.bogus.example.")
                .failing("_25._tcp.mx.bogus.example")
                // no MX records: the domain is its own host
                .add("implicit.example. 300 IN A 192.0.2.25")
                .add("_25._tcp.implicit.example. 300 IN TLSA 3 0 2 " + "ab".repeat(64))
                // validated, no TLSA anywhere
                .add("plain.example. 300 IN MX 10 mx.plain.example.");
        for (String zone : List.of("covered.example", "partial.example", "pkix.example", "hosted.example",
                "bogus.example", "implicit.example", "plain.example")) {
            server.signed(zone);
        }
        dns = Dns.server(server.address(), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            covered.example  | mx.covered.example  | DNSSEC-validated MX records; usable TLSA records for mx.covered.example
            partial.example  | mx1.partial.example | DNSSEC-validated MX records; usable TLSA records for mx1.partial.example; none for mx2.partial.example, where Postfix will not deliver (dane-only)
            implicit.example | implicit.example    | DNSSEC-validated MX records; usable TLSA records for implicit.example
            pkix.example     | ''                  | DNSSEC-validated MX records, but no MX host has usable TLSA records
            hosted.example   | ''                  | DNSSEC-validated MX records, but no MX host has usable TLSA records
            plain.example    | ''                  | DNSSEC-validated MX records, but no MX host has usable TLSA records
            unsigned.example | ''                  | the MX records are not DNSSEC-validated
            bogus.example    | ''                  | the TLSA lookup for mx.bogus.example failed (_25._tcp.mx.bogus.example TLSA: the DNS server answered SERVFAIL), so DANE may apply: Postfix looks the records up itself and delivers only where they authenticate the server (RFC 7672 §2.2)
            """)
    void whatDnssecSaysOfTheMxHosts(String domain, String tlsa, String why) throws Exception {
        Dns.Answer<Dns.Mx> mx = dns.mx(domain);
        Dane d = Dane.check(dns, mx, MxHosts.hosts(domain, mx.records()));
        assertEquals(tlsa.isEmpty() ? List.of() : List.of(tlsa), d.tlsa());
        // a failed TLSA lookup leaves DANE possible: MTA-STS must not override it (RFC 8461 §2, RFC 7672 §2.2)
        assertEquals(!tlsa.isEmpty() || domain.equals("bogus.example"), d.applies());
        assertEquals(why, d.why());
    }

    /** RFC 7672 §3.1: DANE-TA(2) and DANE-EE(3), a known selector, and data of the matching type's length. */
    @ParameterizedTest(name = "[{index}] {0} {1} {2}, {3} bytes: {4}")
    @CsvSource(textBlock = """
            3, 1, 1, 32, true
            2, 0, 2, 64, true
            3, 0, 0, 900, true
            1, 1, 1, 32, false
            0, 0, 1, 32, false
            3, 2, 1, 32, false
            3, 1, 1, 31, false
            3, 1, 2, 32, false
            3, 1, 3, 32, false
            3, 1, 0, 0, false
            """)
    void usableRecords(int usage, int selector, int matching, int length, boolean usable) {
        assertEquals(usable, Dane.usable(new Dns.Tlsa(usage, selector, matching, length)));
    }
}
