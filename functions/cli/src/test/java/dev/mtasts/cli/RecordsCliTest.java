package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Policy;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code mta-sts records}: what it announces, and what it refuses to, against a local domains table. */
class RecordsCliTest {
    static LocalDynamoDb dynamo;
    static String ddb;

    @BeforeAll
    static void start() throws InvalidException {
        dynamo = LocalDynamoDb.start();
        ddb = dynamo.endpoint().toString();
        DomainStore store = new DomainStore(Dynamo.create(dynamo.endpoint(), null), DomainStore.DEFAULT_TABLE);
        store.createTable();
        for (String domain : List.of("example.com", "xn--fa-hia.de", "xn--nxasmm1c.com")) {
            store.put(new DomainRow(DomainName.parse(domain), Policy.of("testing", List.of("mail." + domain), "86400")));
        }
    }

    @AfterAll
    static void stop() {
        dynamo.close();
    }

    /**
     * RFC 8460 §3: every rua is a URI (RFC 3986) of the https (RFC 9110) or mailto (RFC 6068) scheme, with ',', '!'
     * and ';' %-encoded. What senders could not deliver to is refused, with the reason, before anything is printed.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            https://reports.example/%zz     | rua "https://reports.example/%zz": "%zz" at position 25 is not a percent-encoding ('%' and two hex digits)
            https://r{e}port.example/x      | rua "https://r{e}port.example/x": '{' at position 10 is not allowed in the host of a URI; it must be %-encoded
            https:%zz                       | rua "https:%zz": "%zz" at position 7 is not a percent-encoding ('%' and two hex digits)
            mailto:abccba.com               | rua "mailto:abccba.com": "abccba.com" has no '@': a mailto: rua names an address, local-part@domain
            https://user@reports.example/   | rua "https://user@reports.example/": an https URI must not carry user information before the host (RFC 9110 §4.2.4)
            https://reports.example:70000/  | rua "https://reports.example:70000/": port 70000 is above 65535
            mailto:a!b@example.com          | rua "mailto:a!b@example.com": '!' must be %-encoded
            http://reports.example/         | rua "http://reports.example/" must be a mailto: or https: URI
            """)
    void refusedRua(String rua, String message) {
        Cli r = Cli.run("records", "example.com", "--rua", rua, "--endpoint-url", ddb);
        assertEquals(1, r.exit(), r.out());
        assertEquals("mta-sts: " + message, r.err().strip());
        assertEquals("", r.out());
    }

    /**
     * Names are typed in Unicode or A-labels and converted by IDNA2008 (UTS #46 non-transitional): faß.de is its own
     * domain, not fass.de; a joiner with no meaning is an error, not silently dropped.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            faß.de             | 0 | _mta-sts.xn--fa-hia.de.
            XN--FA-HIA.DE.     | 0 | _mta-sts.xn--fa-hia.de.
            fass.de            | 1 | mta-sts: no row for fass.de in table mta-sts-domains; add it with: mta-sts domain add fass.de
            βόλος.com          | 0 | _mta-sts.xn--nxasmm1c.com.
            βόλοσ.com          | 1 | mta-sts: no row for xn--nxasmq6b.com in table mta-sts-domains; add it with: mta-sts domain add xn--nxasmq6b.com
            "exa\u200dmple.com" | 1 | mta-sts: "exa\u200dmple.com" is not a valid domain name: label "exa\u200dmple" has a zero-width joiner or non-joiner where IDNA2008 allows none (RFC 5892 Appendix A)
            """)
    void domainsTypedByUsers(String typed, int exit, String expected) {
        Cli r = Cli.run("records", typed, "--endpoint-url", ddb);
        assertEquals(exit, r.exit(), r.err());
        String shown = exit == 0 ? r.out().lines().skip(1).findFirst().orElse("").split(" ")[0] : r.err().strip();
        assertEquals(expected, shown);
    }
}
