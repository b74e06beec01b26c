package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a rua may be (RFC 8460 §3): a URI of RFC 3986, with the rules of its scheme, https (RFC 9110 §4.2) or
 * mailto (RFC 6068). An empty reason means valid.
 */
class ReportUriTest {

    /** RFC 3986 generic syntax: scheme, authority (userinfo, host, port), path, query, fragment, %-encoding. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "", textBlock = """
            https://reports.example/v1/tlsrpt                  |
            https://reports.example                            |
            https://reports.example/                           |
            https://reports.example:8443/a/b;c=d?x=1&y=%2F#top | ';' must be %-encoded
            https://reports.example:8443/a/b?x=1&y=%2F#top     |
            https://reports.example/%7Euser/~x/-._             |
            https://reports.example/a%2fb%2F                   |
            https://reports.example/a:b@c/$&'()*+=             |
            https://reports.example/?q/?#f/?                   |
            https://192.0.2.1/tlsrpt                           |
            https://[2001:db8::1]/tlsrpt                       |
            https://[2001:db8::1]:443/tlsrpt                   |
            https://[::ffff:192.0.2.1]/                        |
            https://[::]/                                      |
            https://[1:2:3:4:5:6:7:8]/                         |
            https://[v7.a:b]/                                  |
            HTTPS://REPORTS.EXAMPLE/X                          |
            https://reports.example/%zz                        | "%zz" at position 25 is not a percent-encoding ('%' and two hex digits)
            https://reports.example/%2                         | "%2" at position 25 is not a percent-encoding
            https://reports.example/%                          | "%" at position 25 is not a percent-encoding
            https:%zz                                          | "%zz" at position 7 is not a percent-encoding
            https://r{e}port.example/x                         | '{' at position 10 is not allowed in the host of a URI; it must be %-encoded
            "https://reports.example/a|b"                      | '|' at position 26 is not allowed in the path of a URI
            https://reports.example/a^b                        | '^' at position 26 is not allowed in the path of a URI
            https://reports.example/a`b                        | '`' at position 26 is not allowed in the path of a URI
            https://reports.example/a<b>                       | '<' at position 26 is not allowed in the path of a URI
            https://reports.example/a[b]                       | '[' at position 26 is not allowed in the path of a URI
            https://reports.example/?a[b]                      | '[' at position 27 is not allowed in the query of a URI
            https://reports.example/#a#b                       | '#' at position 27 is not allowed in the fragment of a URI
            https://reports.example:80a/                       | the port "80a" is not a number
            https://[2001:db8::1/                              | '[' at position 9 opens an IP literal that no ']' closes
            https://[2001:db8::1]x/                            | 'x' at position 22 follows the IP literal; only ":port" may
            https://[2001:db8:::1]/                            | "[2001:db8:::1]" is not an IPv6 address
            https://[1:2:3:4:5:6:7:8:9]/                       | "[1:2:3:4:5:6:7:8:9]" is not an IPv6 address
            https://[1:2:3:4:5:6:7]/                           | "[1:2:3:4:5:6:7]" is not an IPv6 address
            https://[12345::1]/                                | "[12345::1]" is not an IPv6 address
            https://[::1.2.3.256]/                             | "[::1.2.3.256]" is not an IPv6 address
            https://[v7.]/                                     | "[v7.]" is not an IP literal
            https://[192.0.2.1]/                               | "[192.0.2.1]" is not an IPv6 address
            """)
    void rfc3986(String uri, String reason) {
        verdict(uri, reason);
    }

    /** RFC 9110 §4.2.2: "https://" authority, with a host; §4.2.4: no user information. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "", textBlock = """
            https://mta-sts.example.com/v1/tlsrpt    |
            https://reports.example./v1/tlsrpt       |
            https://xn--mller-kva.example/           |
            https://r%65ports.example/               |
            https://localhost:8443/                  |
            https://reports.example:/                |
            https:reports.example/x                  | an https URI has "//" and a host after "https:"
            https:/reports.example/x                 | an https URI has "//" and a host after "https:"
            https://                                 | the host is empty
            https:///x                               | the host is empty
            https://:443/x                           | the host is empty
            https://user:pw@reports.example/x        | an https URI must not carry user information before the host (RFC 9110 §4.2.4)
            https://reports.example:65536/           | port 65536 is above 65535
            https://reports.example:99999999999999999999/ | port 99999999999999999999 is above 65535
            https://reports_x.example/               | the host "reports_x.example" is not a host name: character '_' is not allowed in a host name
            https://a$b.example/                     | the host "a$b.example" is not a host name: character '$' is not allowed
            https://r%C3%A9ports.example/            | the host "réports.example" is not a host name: "réports" is not an A-label
            https://r%FFports.example/               | "r%FFports.example" percent-encodes bytes that are not UTF-8
            https://1.2.3/                           | the host "1.2.3" is not a host name: the last label "3" is all digits
            https://-r.example/                      | the host "-r.example" is not a host name: label "-r" starts or ends with a hyphen
            https://r..example/                      | the host "r..example" is not a host name: empty label
            """)
    void https(String uri, String reason) {
        verdict(uri, reason);
    }

    /** RFC 6068: "mailto:" addr-spec (RFC 5322, without comments), '/', '&', '=' and others %-encoded; hfields. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "", textBlock = """
            mailto:tlsrpt@example.com                 |
            MAILTO:TLSRPT@EXAMPLE.COM                 |
            mailto:tls.rpt+reports@mail.example.com   |
            mailto:a'b$c*d^e@example.com              | '^' at position 15 is not allowed in the path of a URI
            mailto:a'b$c*d_f~k@example.com            |
            mailto:%7Bh%7D%7Cj%23l%3F@example.com     |
            mailto:a%2Fb@example.com                  |
            mailto:a%26b%3Dc@example.com              |
            mailto:%22john%20doe%22@example.com       |
            mailto:%22a%5C%22b%22@example.com         |
            mailto:tlsrpt@[192.0.2.1]                 | '[' at position 15 is not allowed in the path of a URI
            mailto:tlsrpt@%5B192.0.2.1%5D             |
            mailto:tlsrpt@example.com?subject=TLS%20report |
            mailto:tlsrpt@example.com?subject=a&body=b |
            mailto:%C3%BCser@example.com              |
            mailto:abccba.com                         | "abccba.com" has no '@': a mailto: rua names an address, local-part@domain
            mailto:@example.com                       | "@example.com" has nothing before the '@'
            mailto:tlsrpt@                            | "tlsrpt@" has nothing after the '@'
            mailto:?to=tlsrpt@example.com             | names no address: write mailto:local-part@domain
            mailto://tlsrpt@example.com               | '/' must be %-encoded in a mailto: address
            mailto:a/b@example.com                    | '/' must be %-encoded in a mailto: address
            mailto:a&b@example.com                    | '&' must be %-encoded in a mailto: address
            mailto:a=b@example.com                    | '=' must be %-encoded in a mailto: address
            mailto:tlsrpt@example.com#x               | a mailto: URI has no fragment; '#' must be %-encoded
            mailto:a..b@example.com                   | the local part "a..b" is not a dot-atom
            mailto:.a@example.com                     | the local part ".a" is not a dot-atom
            mailto:a(b)@example.com                   | the local part "a(b)" is not a dot-atom
            mailto:%22ab@example.com                  | the local part "ab has no closing quote
            mailto:%22a%22b@example.com               | the local part "a"b has characters after its closing quote
            mailto:tlsrpt@example_com                 | the domain "example_com" is not a host name: character '_' is not allowed
            mailto:tlsrpt@192.0.2.1                   | the domain "192.0.2.1" is not a host name: the last label "1" is all digits
            mailto:tlsrpt@ex%C3%A4mple.com            | the domain "exämple.com" is not a host name: "exämple" is not an A-label
            mailto:tlsrpt@%5B%5D                      | "[]" is not an address literal
            mailto:tlsrpt@example.com?subject=a=b     | header field "subject=a=b" is not hfname=hfvalue with '/', '?' and '=' %-encoded
            mailto:tlsrpt@example.com?subject/x=1     | header field "subject/x=1" is not hfname=hfvalue
            mailto:tlsrpt@example.com?subject         | header field "subject" is not hfname=hfvalue
            """)
    void mailto(String uri, String reason) {
        verdict(uri, reason);
    }

    /** RFC 8460 §3: the record's own delimiters, and whatever no URI holds raw, must be %-encoded. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "", textBlock = """
            https://reports.example/a%2Cb%21c%3B      |
            https://reports.example/a,b               | ',' must be %-encoded
            https://reports.example/a!b               | '!' must be %-encoded
            https://reports.example/a;b               | ';' must be %-encoded
            "https://reports.example/a b"             | U+0020 SPACE must be %-encoded
            https://reports.example/ä                 | U+00E4 LATIN SMALL LETTER A WITH DIAERESIS must be %-encoded
            http://reports.example/                   | must be a mailto: or https: URI
            ftp://reports.example/                    | must be a mailto: or https: URI
            reports.example                           | must be a mailto: or https: URI
            https:                                    | has nothing after the scheme
            mailto:                                   | has nothing after the scheme
            """)
    void encoding(String uri, String reason) {
        verdict(uri, reason);
    }

    private static void verdict(String uri, String reason) {
        String problem = ReportUri.problem(uri);
        if (reason == null) {
            assertNull(problem);
        } else {
            assertTrue(problem != null && problem.startsWith("rua \"" + uri + "\"") && problem.contains(reason),
                    () -> "expected \"" + reason + "\" in: " + problem);
        }
    }

    /** Parts as RFC 3986 Appendix B splits them. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            https://u@h.example:8/p/q?x#y  | https | u@h.example:8 | u | h.example | 8 | /p/q | x | y
            https://h.example              | https | h.example     | - | h.example | - |      | - | -
            mailto:a@b.example?s=1         | mailto | -            | - | -         | - | a@b.example | s=1 | -
            https://[::1]:443              | https | [::1]:443     | - | [::1]     | 443 |    | - | -
            """)
    void parts(String uri, String scheme, String authority, String userinfo, String host, String port, String path,
               String query, String fragment) throws InvalidException {
        assertEquals(new UriSyntax.Parts(scheme, authority, userinfo, host, port, path == null ? "" : path, query, fragment),
                UriSyntax.parse(uri));
    }
}
