package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.store.Dynamo;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * A mail admin's whole way with the local stack and its moto_server: {@code domain add}, watch {@code domain get}
 * reach ready, fetch the policy, retire, remove; a record of another host blocks until {@code --take-over}.
 */
class DomainLifecycleCliTest {

    @TempDir
    static Path dir;

    static LocalServe local;

    @BeforeAll
    static void start() throws Exception {
        Path domains = dir.resolve("domains.json");
        Files.writeString(domains, "[{\"domain\": \"seed.example\", \"mode\": \"testing\", \"mx\": [\"mail.seed.example\"], \"max_age\": 86400},"
                + " {\"domain\": \"fromfile.example\"}]");
        local = new LocalServe("--domains", domains.toString(), "--data-dir", dir.resolve("reports").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        local.close();
    }

    static String zone(String name, String mx) {
        String id = local.route53.createHostedZone(r -> r.name(name).callerReference(name + System.nanoTime())).hostedZone().id();
        record(id, name, RRType.MX, "10 " + mx + ".");
        return id;
    }

    static void record(String zoneId, String name, RRType type, String value) {
        local.route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(Change.builder()
                .action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder().name(name).type(type).ttl(300L)
                        .resourceRecords(ResourceRecord.builder().value(value).build()).build()).build())));
    }

    @Test
    void addedTheDomainBecomesReadyThenIsRetiredAndRemoved() throws Exception {
        zone("new.example", "mx1.new.example");
        Cli add = Cli.run("domain", "add", "new.example", "--endpoint-url", local.endpoint);
        assertEquals(0, add.exit(), add.err());
        assertTrue(add.out().startsWith("new.example: added, policy to be seeded from the zone's MX hosts"), add.out());
        String ready = local.awaitGet("new.example", o -> o.contains("\"lifecycle\":{\"state\":\"ready\""));
        assertTrue(ready.contains("\"mode\":\"testing\",\"mx\":[\"mx1.new.example\"],\"max_age\":86400"), ready);
        HttpResponse<String> served = local.policy("new.example");
        assertEquals(200, served.statusCode());
        assertEquals("version: STSv1\r\nmode: testing\r\nmx: mx1.new.example\r\nmax_age: 86400\r\n", served.body());

        Cli early = Cli.run("domain", "remove", "new.example", "--endpoint-url", local.endpoint);
        assertEquals(1, early.exit());
        assertTrue(early.err().contains("retire it first (mta-sts domain retire new.example)"), early.err());

        Cli retire = Cli.run("domain", "retire", "new.example", "--endpoint-url", local.endpoint);
        assertEquals(0, retire.exit(), retire.err());
        local.awaitGet("new.example", o -> o.contains("\"mode\":\"none\"") && o.contains("\"state\":\"ready\""));
        Cli tooSoon = Cli.run("domain", "remove", "new.example", "--endpoint-url", local.endpoint);
        assertEquals(1, tooSoon.exit());
        assertTrue(tooSoon.err().contains("senders may still cache the policy new.example had before it was retired"), tooSoon.err());

        Cli remove = Cli.run("domain", "remove", "new.example", "--force", "--endpoint-url", local.endpoint);
        assertEquals(0, remove.exit(), remove.err());
        assertTrue(remove.out().contains("removal requested"), remove.out());
        local.awaitGet("new.example", o -> o.startsWith("0 ") && o.contains("\"removed\":\""));
        assertEquals(404, local.policy("new.example").statusCode());
        // the command remove suggested says so, and a second remove is no error
        Cli removed = Cli.run("domain", "get", "new.example", "--endpoint-url", local.endpoint);
        assertEquals(0, removed.exit(), removed.err());
        assertTrue(removed.out().matches("new\\.example: removed at \\S+Z; nothing the stack made for it is left\\R"),
                removed.out());
        Cli again = Cli.run("domain", "remove", "new.example", "--endpoint-url", local.endpoint);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().startsWith("new.example: removed already, at "), again.out());
        assertFalse(Cli.run("domain", "list", "--endpoint-url", local.endpoint).out().contains("new.example"));
    }

    @Test
    void aRecordOfAnotherHostBlocksUntilTakeOver() throws Exception {
        String zone = zone("taken.example", "mail.taken.example");
        record(zone, "mta-sts.taken.example", RRType.A, "192.0.2.44");
        assertEquals(0, Cli.run("domain", "add", "taken.example", "--endpoint-url", local.endpoint).exit());
        String blocked = local.awaitGet("taken.example", o -> o.contains("\"state\":\"blocked\""));
        assertTrue(blocked.contains("mta-sts.taken.example A 192.0.2.44") && blocked.contains("--take-over"), blocked);
        Cli list = Cli.run("domain", "list", "--endpoint-url", local.endpoint);
        assertTrue(list.out().contains("blocked — records of another host are in the way"), list.out());

        Cli takeOver = Cli.run("domain", "add", "taken.example", "--take-over", "--endpoint-url", local.endpoint);
        assertEquals(0, takeOver.exit(), takeOver.err());
        assertTrue(takeOver.out().contains("already there; records of another host will be replaced"), takeOver.out());
        local.awaitGet("taken.example", o -> o.contains("\"state\":\"ready\""));
    }

    /**
     * A status describes the row's current policy: after an enforce policy was refused (it misses an MX host), a new
     * testing policy is served by the very next request, and nothing says "refused" any more.
     */
    @Test
    void aRefusedEnforcePolicyDoesNotHoldBackTheNextPolicy() throws Exception {
        String zoneId = zone("mixed.example", "mail.mixed.example");
        local.route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(Change.builder()
                .action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder().name("mixed.example").type(RRType.MX)
                        .ttl(300L).resourceRecords(ResourceRecord.builder().value("10 mail.mixed.example.").build(),
                                ResourceRecord.builder().value("20 backup.mixed.example.").build()).build()).build())));
        assertEquals(0, Cli.run("domain", "add", "mixed.example", "--endpoint-url", local.endpoint).exit());
        local.awaitGet("mixed.example", o -> o.contains("\"state\":\"ready\""));
        String seeded = local.policy("mixed.example").body();

        assertEquals(0, Cli.run("domain", "put", "mixed.example", "--mode", "enforce", "--mx", "mail.mixed.example",
                "--max-age", "604800", "--endpoint-url", local.endpoint).exit());
        String refused = local.awaitGet("mixed.example", o -> o.contains("\"state\":\"blocked\""));
        assertTrue(refused.contains("backup.mixed.example"), refused);
        assertEquals(seeded, local.policy("mixed.example").body(), "senders keep the announced policy");
        Cli records = Cli.run("records", "mixed.example", "--endpoint-url", local.endpoint);
        assertTrue(records.err().contains("is not served because the stack refused it"), records.err());
        String announcedId = refused.replaceAll("(?s).*\"announced_id\":\"(\\w+)\".*", "$1");
        assertTrue(records.out().contains("v=STSv1; id=" + announcedId), "records prints the id of the body served: " + records.out());

        assertEquals(0, Cli.run("domain", "put", "mixed.example", "--mode", "testing", "--mx", "mail.mixed.example",
                "--mx", "backup.mixed.example", "--max-age", "3600", "--endpoint-url", local.endpoint).exit());
        assertEquals("version: STSv1\r\nmode: testing\r\nmx: mail.mixed.example\r\nmx: backup.mixed.example\r\n"
                + "max_age: 3600\r\n", local.policy("mixed.example").body(), "the very next request serves the change");
        Cli get = Cli.run("domain", "get", "mixed.example", "--endpoint-url", local.endpoint);
        assertFalse(get.out().contains("not announced"), "no stale refusal: " + get.out());
        local.awaitGet("mixed.example", o -> o.contains("\"state\":\"ready\"") && o.contains("max_age\":3600"));
    }

    /**
     * The README's own recipe, aws dynamodb put-item, replaces the whole item: an enforce row that misses a live MX
     * host, for a ready enforce domain. Senders keep getting the announced policy on every request (never a 404)
     * while the stack looks at the new row and after it refuses it, and domain get says so.
     */
    @Test
    void aPutItemOfAnEnforceRowMissingAnMxKeepsTheAnnouncedPolicyServedAndGetTellsTheTruth() throws Exception {
        String zoneId = zone("putitem.example", "mail.putitem.example");
        local.route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(Change.builder()
                .action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder().name("putitem.example")
                        .type(RRType.MX).ttl(300L).resourceRecords(ResourceRecord.builder().value("10 mail.putitem.example.").build(),
                                ResourceRecord.builder().value("20 backup.putitem.example.").build()).build()).build())));
        assertEquals(0, Cli.run("domain", "put", "putitem.example", "--mode", "enforce", "--mx", "mail.putitem.example",
                "--mx", "backup.putitem.example", "--max-age", "604800", "--endpoint-url", local.endpoint).exit());
        String ready = local.awaitGet("putitem.example", o -> o.contains("\"state\":\"ready\"") && o.contains("announced_id"));
        String announcedId = ready.replaceAll("(?s).*\"announced_id\":\"(\\w+)\".*", "$1");
        String announced = local.policy("putitem.example").body();
        assertTrue(announced.contains("mx: backup.putitem.example"), announced);

        try (var client = Dynamo.create(URI.create(local.endpoint), null)) {
            client.putItem(r -> r.tableName("mta-sts-domains").item(java.util.Map.of(
                    "domain", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("putitem.example"),
                    "mode", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("enforce"),
                    "mx", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromL(List.of(
                            software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("mail.putitem.example"))),
                    "max_age", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN("604800"))));
        }
        // every sample, from the write until well after the stack refused the row
        List<Integer> statuses = new java.util.ArrayList<>();
        Instant until = Instant.now().plusSeconds(60);
        boolean blocked = false;
        int after = 0;
        while (Instant.now().isBefore(until) && after < 10) {
            HttpResponse<String> served = local.policy("putitem.example");
            statuses.add(served.statusCode());
            assertEquals(announced, served.body(), "sample " + statuses.size() + ": the announced policy");
            blocked = blocked || Cli.run("domain", "get", "putitem.example", "--json", "--endpoint-url", local.endpoint).out()
                    .contains("\"state\":\"blocked\"");
            after += blocked ? 1 : 0;
        }
        assertTrue(blocked, "the stack refused the row: " + local.console);
        assertTrue(statuses.stream().allMatch(s -> s == 200), statuses.toString());

        Cli get = Cli.run("domain", "get", "putitem.example", "--endpoint-url", local.endpoint);
        assertTrue(get.out().contains("lifecycle: blocked — not announced: ") && get.out().contains("backup.putitem.example")
                && get.out().contains("senders keep the announced policy (id " + announcedId + ")"), get.out());
        assertTrue(get.out().contains("served now, the announced policy (id " + announcedId + "), until the row's passes "
                + "the MX check:"), get.out());
        assertTrue(get.out().endsWith(announced.replace("\r\n", System.lineSeparator())), get.out());
        assertFalse(get.out().contains("nothing is announced"), get.out());
        Cli json = Cli.run("domain", "get", "putitem.example", "--json", "--endpoint-url", local.endpoint);
        assertTrue(json.out().contains("\"served_id\":\"" + announcedId + "\""), json.out());
    }

    /** A row stored under a key that is not normalised (put with the aws CLI) can be shown and removed. */
    @Test
    void aRowWithAKeyWrittenByHandCanBeShownAndRemoved() throws Exception {
        try (var client = Dynamo.create(URI.create(local.endpoint), null)) {
            client.putItem(r -> r.tableName("mta-sts-domains").item(java.util.Map.of(
                    "domain", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("Bad3.Example"),
                    "mode", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("testing"))));
        }
        Cli list = Cli.run("domain", "list", "--endpoint-url", local.endpoint);
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("Bad3.Example ") && l.contains(" INVALID: ")), list.out());
        Cli get = Cli.run("domain", "get", "Bad3.Example", "--endpoint-url", local.endpoint);
        assertEquals(1, get.exit());
        assertTrue(get.out().startsWith("Bad3.Example: INVALID, not served"), get.out());
        // the stack skips such a row: it says so, rather than "not picked up yet" for ever
        assertTrue(get.out().contains("  lifecycle: blocked — the stack never picks this row up: \"Bad3.Example\" must "
                + "be written as \"bad3.example\""), get.out());
        assertTrue(get.out().contains("must be written as \"bad3.example\""), get.out());
        Cli remove = Cli.run("domain", "remove", "Bad3.Example", "--endpoint-url", local.endpoint);
        assertEquals(0, remove.exit(), remove.err());
        assertFalse(Cli.run("domain", "list", "--endpoint-url", local.endpoint).out().contains("Bad3.Example"));
    }

    @Test
    void theSeededRowsOfTheDomainsFileAreProvisionedToo() throws Exception {
        local.awaitGet("seed.example", o -> o.contains("\"state\":\"ready\""));
        assertTrue(local.console.toString().contains("seed.example: ready"), local.console.toString());
        // a row of only its domain is valid: the start-up says it is to be seeded, and so it is
        assertTrue(local.console.toString().contains("\n  fromfile.example  to be seeded from the zone's MX hosts (testing)\n"),
                local.console.toString());
        String seeded = local.awaitGet("fromfile.example", o -> o.contains("\"state\":\"ready\""));
        assertTrue(seeded.contains("\"mode\":\"testing\",\"mx\":[\"mail.fromfile.example\"]"), seeded);
    }
}
