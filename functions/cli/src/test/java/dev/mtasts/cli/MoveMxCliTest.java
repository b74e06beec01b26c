package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.MxMove;
import dev.mtasts.core.Policy;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@code domain move-mx} with the local stack and its moto_server: the plan it prints and {@code domain get} shows
 * (and {@code --json} under {@code lifecycle.mx_move}), the covering policy served and announced, {@code --cancel},
 * {@code testing} where nothing waits (the MX records switched by the stack), and every mistake refused with its
 * reason and the row left as it was. The waits of an enforce move are MxMoveTest's, with a test clock.
 */
class MoveMxCliTest {

    @TempDir
    static Path dir;

    static LocalServe local;

    @BeforeAll
    static void start() throws Exception {
        Path domains = dir.resolve("domains.json");
        Files.writeString(domains, "[]");
        local = new LocalServe("--domains", domains.toString(), "--data-dir", dir.resolve("reports").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        local.close();
    }

    static String zone(String name, String... mx) {
        String id = local.route53.createHostedZone(r -> r.name(name).callerReference(name + System.nanoTime())).hostedZone().id();
        setMx(id, name, mx);
        return id;
    }

    static void setMx(String zoneId, String name, String... mx) {
        List<ResourceRecord> records = new ArrayList<>();
        for (int i = 0; i < mx.length; i++) {
            records.add(ResourceRecord.builder().value((i + 1) * 10 + " " + mx[i] + ".").build());
        }
        local.route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(Change.builder()
                .action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder().name(name).type(RRType.MX)
                        .ttl(3600L).resourceRecords(records).build()).build())));
    }

    static String records(String zoneId, String name, RRType type) {
        return local.route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId).startRecordName(name).startRecordType(type)
                .maxItems("1")).resourceRecordSets().stream().filter(s -> s.type() == type)
                .flatMap(s -> s.resourceRecords().stream()).map(ResourceRecord::value).reduce((a, b) -> a + " " + b)
                .orElse("");
    }

    static Cli domain(String... args) {
        List<String> line = new ArrayList<>(List.of("domain"));
        line.addAll(List.of(args));
        line.addAll(List.of("--endpoint-url", local.endpoint));
        return Cli.run(line.toArray(String[]::new));
    }

    static String served(String domain) throws Exception {
        HttpResponse<String> r = local.policy(domain);
        return r.statusCode() + " " + r.body();
    }

    @Test
    void anEnforceMoveShowsItsPlanServesTheCoveringPolicyAndCancels() throws Exception {
        String zone = zone("movecli.example", "mail.old.example");
        assertEquals(0, domain("put", "movecli.example", "--mode", "enforce", "--mx", "mail.old.example", "--max-age",
                "604800").exit());
        local.awaitGet("movecli.example", o -> o.contains("\"state\":\"ready\"") && o.contains("announced_id"));
        Policy old = Policy.of("enforce", List.of("mail.old.example"), "604800");
        Policy covering = Policy.of("enforce", List.of("mail.old.example", "mx.new.example"), "604800");

        Cli move = domain("move-mx", "movecli.example", "--to", "mx.new.example");
        assertEquals(0, move.exit(), move.err());
        System.out.println("$ mta-sts domain move-mx movecli.example --to mx.new.example\n" + move.out());
        assertTrue(move.out().startsWith("movecli.example: enforce, mx mail.old.example mx.new.example, max_age 604800, id "
                + covering.id()), move.out());
        assertTrue(move.out().contains("  mx move: the policy now covers mx.new.example beside mail.old.example; its id "
                + "is being announced, then change your MX records once the previous policy's max_age (604800 s) has "
                + "passed since; domain get shows the time then; the stack drops mail.old.example from the policy once "
                + "no MX record names it"), move.out());

        String waiting = local.awaitGet("movecli.example", o -> o.contains("\"mx_move\":{\"state\":\"waiting\""));
        assertTrue(waiting.contains("\"announced_id\":\"" + covering.id() + "\""), waiting);
        assertTrue(waiting.contains("\"from\":[\"mail.old.example\"],\"to\":[\"mx.new.example\"],\"switch_mx\":false"),
                waiting);
        String safe = waiting.replaceAll("(?s).*\"safe_after\":\"([^\"]+)\".*", "$1");
        assertTrue(Instant.parse(safe).isAfter(Instant.now().plusSeconds(604800)), safe);
        Cli get = domain("get", "movecli.example");
        System.out.println("$ mta-sts domain get movecli.example\n" + get.out());
        assertTrue(get.out().contains("\n  mx move: the policy now covers mx.new.example; change your MX records after "
                + MxMove.minute(Instant.parse(safe)) + " (senders may hold the previous policy until then); the stack "
                + "drops mail.old.example from the policy once no MX record names it\n"), get.out());
        assertEquals("200 " + covering.render(), served("movecli.example"));
        assertTrue(records(zone, "_mta-sts.movecli.example", RRType.TXT).contains(covering.id()));

        Cli again = domain("move-mx", "movecli.example", "--to", "mx.other.example");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("a move of movecli.example's MX hosts to mx.new.example is under way"), again.err());

        Cli cancel = domain("move-mx", "movecli.example", "--cancel");
        assertEquals(0, cancel.exit(), cancel.err());
        System.out.println("$ mta-sts domain move-mx movecli.example --cancel\n" + cancel.out());
        assertTrue(cancel.out().startsWith("movecli.example: MX move cancelled; enforce, mx mail.old.example, max_age "
                + "604800, id " + old.id()), cancel.out());
        String cancelled = local.awaitGet("movecli.example", o -> o.contains("\"mx_move\":{\"state\":\"cancelled\"")
                && o.contains("\"announced_id\":\"" + old.id() + "\""));
        assertTrue(cancelled.contains("\"state\":\"ready\""), cancelled);
        assertEquals("200 " + old.render(), served("movecli.example"));
        Cli twice = domain("move-mx", "movecli.example", "--cancel");
        assertEquals(1, twice.exit());
        assertTrue(twice.err().contains("no move of movecli.example's MX hosts is under way"), twice.err());
    }

    /**
     * domain retire during an enforce move: senders may hold the policy of before the move until the move's safe time,
     * so the retired domain may not be removed before then (RFC 8461 §8.1, §8.3), though the covering policy was
     * announced after it; the move goes on under mode none.
     */
    @Test
    void retiringDuringAMoveIsRemovableOnlyAfterThePolicyOfBeforeTheMoveExpired() throws Exception {
        zone("retiremove.example", "mail.old.example");
        assertEquals(0, domain("put", "retiremove.example", "--mode", "enforce", "--mx", "mail.old.example",
                "--max-age", "604800").exit());
        local.awaitGet("retiremove.example", o -> o.contains("\"state\":\"ready\"") && o.contains("announced_id"));
        assertEquals(0, domain("move-mx", "retiremove.example", "--to", "mx.new.example").exit());
        String waiting = local.awaitGet("retiremove.example", o -> o.contains("\"mx_move\":{\"state\":\"waiting\""));
        Instant safe = Instant.parse(waiting.replaceAll("(?s).*\"safe_after\":\"([^\"]+)\".*", "$1"));

        Instant before = Instant.now();
        Cli retire = domain("retire", "retiremove.example");
        assertEquals(0, retire.exit(), retire.err());
        System.out.println("$ mta-sts domain retire retiremove.example\n" + retire.out());
        Instant until = Instant.parse(retire.out().replaceAll("(?s).*may keep it until (\\S+) .*", "$1"));
        assertFalse(until.isBefore(safe), "retired " + until + ", the policy of before the move held until " + safe);
        assertFalse(until.isBefore(before.plusSeconds(60 + 300 + 604800)), "the covering policy's max_age after the "
                + "retired policy's id reaches every resolver: " + until);
        Cli remove = domain("remove", "retiremove.example");
        assertEquals(1, remove.exit());
        assertTrue(remove.err().contains("until " + until), remove.err());
        String retired = local.awaitGet("retiremove.example", o -> o.contains("\"mode\":\"none\"")
                && o.contains("\"state\":\"ready\""));
        assertTrue(retired.contains("\"mx_move\":{\"state\":\"waiting\""), "the move goes on: " + retired);
        assertTrue(retired.contains("\"safe_after\":\"" + safe + "\""), retired);
    }

    /** Under testing nothing waits: the new policy is served at once, and --switch-mx has the stack change the MX. */
    @Test
    void underTestingTheNewPolicyIsServedAtOnceAndTheStackSwitchesTheMx() throws Exception {
        String zone = zone("testcli.example", "mail.old.example");
        assertEquals(0, domain("put", "testcli.example", "--mode", "testing", "--mx", "mail.old.example").exit());
        local.awaitGet("testcli.example", o -> o.contains("\"state\":\"ready\"") && o.contains("announced_id"));
        Cli move = domain("move-mx", "testcli.example", "--to", "mx.new.example", "--switch-mx");
        assertEquals(0, move.exit(), move.err());
        System.out.println("$ mta-sts domain move-mx testcli.example --to mx.new.example --switch-mx\n" + move.out());
        assertTrue(move.out().contains("  mx move: testing policy, so nothing waits (senders deliver anyway): the policy "
                + "names mx.new.example at once; the stack changes the MX records to mx.new.example at its next run"),
                move.out());
        Policy after = Policy.of("testing", List.of("mx.new.example"), "86400");
        assertEquals("200 " + after.render(), served("testcli.example"), "served by the very next request");
        String done = local.awaitGet("testcli.example", o -> o.contains("\"mx_move\":{\"state\":\"done\""));
        assertTrue(done.contains("\"announced_id\":\"" + after.id() + "\""), done);
        assertEquals("10 mx.new.example.", records(zone, "testcli.example", RRType.MX));
        assertTrue(local.console.toString().contains("alert: MTA-STS: testcli.example: MX records moved to mx.new.example"),
                local.console.toString());

        // without --switch-mx there is nothing for the stack to carry out: the policy changes, that is all
        Cli plain = domain("move-mx", "testcli.example", "--to", "mx2.new.example", "--from", "mx.new.example");
        assertEquals(0, plain.exit(), plain.err());
        assertTrue(plain.out().contains("change your MX records when you like"), plain.out());
        assertFalse(domain("get", "testcli.example", "--json").out().contains("\"state\":\"covering\""));
    }

    /** Every mistake is refused with its reason, naming the option, and nothing is written. */
    @Test
    void mistakesAreRefusedAndTheRowIsLeftAsItWas() throws Exception {
        zone("wrong.example", "mail.wrong.example");
        assertEquals(0, domain("put", "wrong.example", "--mode", "enforce", "--mx", "mail.wrong.example", "--mx",
                "*.mx.wrong.example", "--max-age", "604800").exit());
        String before = domain("get", "wrong.example", "--json").out().replaceAll("\"lifecycle\".*", "");
        Object[][] cases = {
            {new String[] {"--to", "mx.new.example", "--from", "other.example"},
                "--from other.example is not a pattern of the policy (mx mail.wrong.example *.mx.wrong.example)"},
            {new String[] {"--to", "mx..new.example"}, "--to: \"mx..new.example\" is not a valid mx pattern"},
            {new String[] {"--to", "*.mx.new.example", "--switch-mx"},
                "--switch-mx writes MX records, which name hosts: *.mx.new.example is a pattern; give the hosts"},
            {new String[] {"--to", "mx.new.example", "--switch-mx", "--to-priority", "10,20"},
                "--to-priority needs one priority per --to host (1), got 2"},
            {new String[] {"--to", "mx.new.example", "--to-priority", "10"},
                "--to-priority is for --switch-mx (the stack writes the MX records)"},
            {new String[] {"--to", "mail.wrong.example", "--from", ""}, "--from: mx needs a host name pattern"},
            {new String[] {"--to", "mail.wrong.example,*.mx.wrong.example"},
                "nothing to move: the policy names mail.wrong.example, *.mx.wrong.example already and no pattern "
                        + "leaves it"},
            {new String[] {"--to", "mx.new.example", "--from", "mx.new.example"}, "mx.new.example is in both --from and --to"},
            {new String[] {"--cancel", "--to", "mx.new.example"}, "--cancel takes no other option"},
            {new String[] {"--cancel"}, "no move of wrong.example's MX hosts is under way"},
            {new String[] {}, "give the new MX hosts with --to (or --cancel the move under way)"},
        };
        for (Object[] c : cases) {
            List<String> args = new ArrayList<>(List.of("move-mx", "wrong.example"));
            args.addAll(List.of((String[]) c[0]));
            Cli r = domain(args.toArray(String[]::new));
            assertEquals(1, r.exit(), String.join(" ", (String[]) c[0]) + ": " + r.out() + r.err());
            assertTrue(r.err().contains((String) c[1]), String.join(" ", (String[]) c[0]) + ": " + r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertEquals(before, domain("get", "wrong.example", "--json").out().replaceAll("\"lifecycle\".*", ""),
                "the row is as it was");
        Cli none = domain("move-mx", "nosuch.example", "--to", "mx.new.example");
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("no row for nosuch.example"), none.err());
    }

    @Test
    void aSeededPolicySaysItFollowsTheZonesMxRecords() throws Exception {
        zone("seedcli.example", "mail.seedcli.example");
        assertEquals(0, domain("add", "seedcli.example").exit());
        String ready = local.awaitGet("seedcli.example", o -> o.contains("\"state\":\"ready\"") && o.contains("announced_id"));
        assertTrue(ready.contains("\"seeded\":{\"follows_mx\":true}"), ready);
        assertTrue(domain("get", "seedcli.example").out().contains("\n  mx: the seeded testing policy follows the zone's "
                + "MX records\n"));
        assertEquals(0, domain("put", "seedcli.example", "--mode", "testing", "--mx", "mail.seedcli.example",
                "--max-age", "3600").exit());
        assertFalse(domain("get", "seedcli.example").out().contains("follows the zone's MX records"), "yours now");
    }
}
