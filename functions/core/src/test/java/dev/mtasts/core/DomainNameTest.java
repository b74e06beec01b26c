package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Two spellings of one mail domain must be one row, one record name and one policy host. */
class DomainNameTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            example.com                | example.com
            Example.COM                | example.com
            example.com.               | example.com
            "  example.com\t"          | example.com
            mail.Example.co.uk.        | mail.example.co.uk
            xn--mller-kva.example      | xn--mller-kva.example
            XN--MLLER-KVA.Example.     | xn--mller-kva.example
            192.0.2.1.example          | 192.0.2.1.example
            """)
    void normalisation(String input, String normalised) throws InvalidException {
        assertEquals(normalised, DomainName.parse(input).value());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                         | domain name is empty
            "   "                      | domain name is empty
            localhost                  | a mail domain has at least two labels
            _mta-sts.example.com       | is not a valid domain name
            -mail.example.com          | is not a valid domain name
            mail-.example.com          | is not a valid domain name
            *.example.com              | is not a valid domain name
            a..example.com             | is not a valid domain name
            example.com..              | is not a valid domain name
            exa mple.com               | is not a valid domain name
            # an IP address is not a mail domain (RFC 1123 §2.1)
            192.0.2.1                  | the last label "1" is all digits, the form of an IP address
            mail.example.123           | the last label "123" is all digits
            [192.0.2.1]                | an address literal is not a host name
            # U-labels are converted before they reach core (IDNA2008, in the command-line tool): core refuses them
            müller.example             | "müller" is not an A-label (write internationalised labels in their xn-- form)
            faß.de                     | "faß" is not an A-label
            βόλος.com                  | "βόλος" is not an A-label
            # a 64-character label
            aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example | is not a valid domain name
            """)
    void rejection(String input, String reason) {
        String message = Rejection.message(() -> DomainName.parse(input));
        assertTrue(message.contains(reason), message);
    }

    @Test
    void derivedNames() throws InvalidException {
        DomainName d = DomainName.parse("Example.COM.");
        assertEquals("mta-sts.example.com", d.policyHost());
        assertEquals("_mta-sts.example.com", d.stsRecordName());
        assertEquals("_smtp._tls.example.com", d.tlsRptRecordName());
    }

    @ParameterizedTest
    @CsvSource({"Example.com", "example.com.", "müller.example", "localhost"})
    void constructorAcceptsOnlyTheNormalisedForm(String value) {
        assertThrows(IllegalArgumentException.class, () -> new DomainName(value));
    }

    /** RFC 8461 §3.3: the policy is served at {@code mta-sts.<domain>}; which domain a request's host names. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} -> {1}")
    @org.junit.jupiter.params.provider.CsvSource(nullValues = "none", textBlock = """
            mta-sts.example.com,        example.com
            MTA-STS.Example.COM,        example.com
            mta-sts.example.com:443,    example.com
            mta-sts.sub.example.org,    sub.example.org
            www.example.com,            none
            mta-sts.,                   none
            mta-sts.localhost,          none
            '[::1]:8080',               none
            127.0.0.1:8080,             none
            mta-sts.192.0.2.1,          none
            """)
    void policyHost(String host, String domain) {
        assertEquals(java.util.Optional.ofNullable(domain), DomainName.ofPolicyHost(host).map(DomainName::value));
    }
}
