package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What Debian's postconf says of a main.cf, and whether that Postfix can act on a dane-only answer: it finds the
 * policy invalid (and defers the mail) without DNSSEC lookups, without DNS host lookups, with resolver options that
 * append search domains, or ignoring MX lookup errors.
 */
class PostfixDnsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            smtp_dns_support_level = dnssec                                        | true  | ""
            smtp_dns_support_level = enabled                                       | false | ""
            ""                                                                     | false | ""
            smtp_dns_support_level = dnssec\\nsmtp_host_lookup = native             | true  | smtp_host_lookup = native, without dns
            smtp_dns_support_level = dnssec\\nsmtp_host_lookup = dns, native        | true  | ""
            smtp_dns_support_level = dnssec\\nsmtp_dns_resolver_options = res_dnsrch | true  | smtp_dns_resolver_options = res_dnsrch, with res_dnsrch
            smtp_dns_support_level = dnssec\\nsmtp_dns_resolver_options = res_defnames, res_dnsrch | true | smtp_dns_resolver_options = res_defnames, res_dnsrch, with res_defnames
            smtp_dns_support_level = dnssec\\nignore_mx_lookup_error = yes          | true  | ignore_mx_lookup_error = yes
            """)
    void whatPostfixMakesOfDaneOnly(String mainCf, boolean dnssec, String problem) throws Exception {
        Files.writeString(dir.resolve("main.cf"), mainCf.replace("\\n", "\n") + "\n");
        PostfixDns p = PostfixDns.read(dir);
        assertTrue(p.known(), p.why());
        assertEquals(dnssec, p.dnssec(), p.why());
        assertEquals(problem.isEmpty() ? null : dir.resolve("main.cf") + ": " + problem, p.problem());
    }

    @Test
    void withoutAMainCfNothingIsKnown() {
        PostfixDns p = PostfixDns.read(dir);
        assertFalse(p.known());
        assertEquals("no " + dir.resolve("main.cf"), p.why());
    }
}
