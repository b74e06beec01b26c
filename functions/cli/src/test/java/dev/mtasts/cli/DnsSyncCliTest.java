package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.local.LocalDynamoDb;
import dev.mtasts.local.MotoServer;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.RRType;

/** A reviewer's walk through DNS: zone with MX records, rows via the CLI, dns sync, the zone read back. */
class DnsSyncCliTest {
    static LocalDynamoDb dynamo;
    static MotoServer moto;
    static Route53Client route53;
    static String zone;
    static String ddb;
    static String r53;

    @BeforeAll
    static void start() {
        dynamo = LocalDynamoDb.start();
        moto = MotoServer.start();
        new DomainStore(Dynamo.create(dynamo.endpoint(), null), DomainStore.DEFAULT_TABLE).createTable();
        route53 = Route53Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.AWS_GLOBAL)
                .credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint()).build();
        zone = route53.createHostedZone(r -> r.name("example.com").callerReference("cli-test")).hostedZone().id();
        route53.changeResourceRecordSets(r -> r.hostedZoneId(zone).changeBatch(b -> b.changes(c -> c.action("CREATE")
                .resourceRecordSet(s -> s.name("example.com.").type(RRType.MX).ttl(3600L).resourceRecords(
                        v -> v.value("10 mail.example.com."), v -> v.value("20 backup.mx.example.net."))))));
        ddb = dynamo.endpoint().toString();
        r53 = moto.endpoint().toString();
    }

    @AfterAll
    static void stop() {
        route53.close();
        moto.close();
        dynamo.close();
    }

    static String published() {
        return route53.listResourceRecordSets(r -> r.hostedZoneId(zone)).resourceRecordSets().stream()
                .filter(s -> s.name().equals("_mta-sts.example.com.") && s.type() == RRType.TXT)
                .map(s -> s.resourceRecords().get(0).value()).findFirst().orElse(null);
    }

    @Test
    void theWalkThrough() {
        assertEquals(0, Cli.run("domain", "put", "example.com", "--mode", "testing", "--mx", "mail.example.com",
                "--mx", "*.mx.example.net", "--endpoint-url", ddb).exit());

        Cli dry = Cli.run("dns", "sync", "--dry-run", "--endpoint-url", ddb, "--route53-endpoint-url", r53);
        assertTrue(dry.out().startsWith("would be example.com: published v=STSv1; id="), dry.out());
        assertEquals(null, published());

        Cli sync = Cli.run("dns", "sync", "--endpoint-url", ddb, "--route53-endpoint-url", r53);
        assertEquals(0, sync.exit(), sync.out() + sync.err());
        String records = Cli.run("records", "example.com", "--endpoint-url", ddb).out();
        String txt = records.lines().filter(l -> l.startsWith("_mta-sts.")).findFirst().orElseThrow();
        assertEquals(txt.substring(txt.indexOf('"')), published(), "the zone says what mta-sts records says");

        Cli again = Cli.run("dns", "sync", "--endpoint-url", ddb, "--route53-endpoint-url", r53);
        assertEquals(List.of("example.com: unchanged " + published().replace("\"", ""), "1 unchanged"),
                again.out().lines().toList());

        // enforce, but backup.mx.example.net is not covered any more: refused, the previous id stays
        String before = published();
        assertEquals(0, Cli.run("domain", "put", "example.com", "--mode", "enforce", "--mx", "mail.example.com",
                "--max-age", "604800", "--endpoint-url", ddb).exit());
        Cli refused = Cli.run("dns", "sync", "--domain", "example.com", "--endpoint-url", ddb, "--route53-endpoint-url", r53);
        assertEquals(1, refused.exit());
        assertTrue(refused.out().startsWith("example.com: refused: enforce policy does not cover MX backup.mx.example.net"),
                refused.out());
        assertEquals(before, published());
        Cli get = Cli.run("domain", "get", "example.com", "--endpoint-url", ddb);
        assertTrue(get.out().contains("dns status: refused: enforce policy does not cover MX backup.mx.example.net"),
                get.out());

        // retire (RFC 8461 §8.3): mode none, short max_age, a new id
        assertEquals(0, Cli.run("domain", "put", "example.com", "--mode", "enforce", "--mx", "mail.example.com",
                "--mx", "*.mx.example.net", "--max-age", "604800", "--endpoint-url", ddb).exit());
        Cli retire = Cli.run("domain", "retire", "example.com", "--endpoint-url", ddb);
        assertEquals(0, retire.exit(), retire.err());
        assertTrue(retire.out().startsWith("example.com: none, mx mail.example.com *.mx.example.net, max_age 86400, id "),
                retire.out());
        assertTrue(retire.out().contains("Senders that cached the enforce policy may keep it until "), retire.out());
        Cli retired = Cli.run("dns", "sync", "--endpoint-url", ddb, "--route53-endpoint-url", r53);
        assertEquals(0, retired.exit(), retired.out());
        assertTrue(!before.equals(published()));

        Cli early = Cli.run("domain", "delete", "example.com", "--endpoint-url", ddb);
        assertEquals(1, early.exit());
        assertTrue(early.err().startsWith("mta-sts: senders may still cache the policy example.com had before retiring"),
                early.err());
        Cli delete = Cli.run("domain", "delete", "example.com", "--force", "--endpoint-url", ddb);
        assertEquals(0, delete.exit(), delete.err());

        // another row in the zone keeps it in a full sync, which finds the record left behind and removes it
        assertEquals(0, Cli.run("domain", "put", "sub.example.com", "--mode", "none", "--endpoint-url", ddb).exit());
        Cli removed = Cli.run("dns", "sync", "--endpoint-url", ddb, "--route53-endpoint-url", r53);
        assertTrue(removed.out().contains("example.com: removed"), removed.out());
        assertEquals(null, published());
    }
}
