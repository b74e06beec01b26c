package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * A domain whose DNS is not in Route53, with the local stack: {@code domain add --delegated} prints the four CNAMEs,
 * {@code domain get} and {@code records} show them, the domain waits blocked naming them, and once they are in the
 * outside DNS (the file serve reads) it becomes ready with its records under the delegation zone only; removed, the
 * CNAMEs to delete are listed.
 */
class DelegationCliTest {
    static final String ZONE = "mta-sts.delegation.test";

    @TempDir
    static Path dir;

    static LocalServe local;
    static Path outside;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("data");
        outside = data.resolve("outside-dns.zone");
        local = new LocalServe("--data-dir", data.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        local.close();
    }

    /** Every record set of every hosted zone, as {@code zone: name type}. */
    static List<String> allRecords() {
        List<String> out = new java.util.ArrayList<>();
        for (HostedZone z : local.route53.listHostedZonesPaginator(r -> { }).hostedZones()) {
            for (ResourceRecordSet s : local.route53.listResourceRecordSetsPaginator(r -> r.hostedZoneId(z.id())).resourceRecordSets()) {
                if (s.type() != RRType.SOA && s.type() != RRType.NS) {
                    out.add(z.name() + ": " + s.name() + " " + s.typeAsString());
                }
            }
        }
        return out;
    }

    @Test
    void addedDelegatedTheDomainWaitsForItsCnamesThenIsReadyUnderTheDelegationZoneOnly() throws Exception {
        assertTrue(local.console.toString().contains("Outside DNS     127.0.0.1:"), local.console.toString());
        Cli add = Cli.run("domain", "add", "example.net", "--delegated", "--mode", "testing", "--mx", "mail.example.net",
                "--endpoint-url", local.endpoint);
        System.out.println("$ mta-sts domain add example.net --delegated --mode testing --mx mail.example.net\n" + add.out());
        assertEquals(0, add.exit(), add.err());
        assertTrue(add.out().startsWith("example.net: added, testing, mx mail.example.net, max_age 86400, id "), add.out());
        assertTrue(add.out().contains("; its DNS is elsewhere (delegated)"), add.out());
        assertTrue(add.out().contains("\n  lifecycle: blocked — certificate requested; waiting for the records below in "
                + "public DNS"), add.out());
        List<String> lines = add.out().lines().dropWhile(l -> !l.startsWith("Publish these records once"))
                .skip(1).takeWhile(l -> l.startsWith("  ")).map(String::strip).toList();
        assertEquals(4, lines.size(), add.out());
        assertTrue(lines.get(0).matches("mta-sts\\.example\\.net\\. +CNAME  example\\.net\\." + ZONE + "\\."), lines.get(0));
        assertTrue(lines.get(1).matches("_mta-sts\\.example\\.net\\. +CNAME  _mta-sts\\.example\\.net\\." + ZONE + "\\."), lines.get(1));
        assertTrue(lines.get(2).matches("_smtp\\._tls\\.example\\.net\\. +CNAME  _smtp\\._tls\\.example\\.net\\." + ZONE + "\\."), lines.get(2));
        assertTrue(lines.get(3).matches("_\\w+\\.mta-sts\\.example\\.net\\.\\s+CNAME  _\\w+(\\.\\w+)*\\.acm-validations\\.aws\\."),
                lines.get(3));

        String blocked = local.awaitGet("example.net", o -> o.contains("\"state\":\"blocked\""));
        assertTrue(blocked.contains("\"dns\":\"delegated\""), blocked);
        assertTrue(blocked.contains("\"delegation\":{\"zone\":\"" + ZONE + "\",\"records\":[{\"name\":\"mta-sts.example.net.\","
                + "\"type\":\"CNAME\",\"value\":\"example.net." + ZONE + ".\"}"), blocked);
        assertTrue(blocked.contains("publish at example.net's DNS host, once, these 4 records"), blocked);
        Cli get = Cli.run("domain", "get", "example.net", "--endpoint-url", local.endpoint);
        System.out.println("$ mta-sts domain get example.net\n" + get.out());
        for (String line : lines) {
            assertTrue(get.out().contains("    " + line + "\n"), get.out());
        }
        Cli records = Cli.run("records", "example.net", "--endpoint-url", local.endpoint);
        System.out.println("$ mta-sts records example.net\n" + records.out());
        assertEquals(0, records.exit(), records.err());
        assertEquals(lines, records.out().lines().filter(l -> !l.startsWith(";")).toList());
        Cli rua = Cli.run("records", "example.net", "--rua", "mailto:a@example.net", "--endpoint-url", local.endpoint);
        assertEquals(1, rua.exit());
        assertTrue(rua.err().contains("--rua does not apply"), rua.err());
        assertFalse(allRecords().stream().anyMatch(r -> r.contains("example.net")), "nothing made before: " + allRecords());

        // the user publishes three of them, and a TXT of another host at _mta-sts
        Files.writeString(outside, "example.net. MX 10 mail.example.net.\n" + lines.get(0) + "\n" + lines.get(2) + "\n"
                + lines.get(3) + "\n_mta-sts.example.net. TXT \"v=STSv1; id=old1\"\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        String still = local.awaitGet("example.net", o -> o.contains("this record: _mta-sts.example.net."));
        assertTrue(still.contains("(public DNS has: TXT \\\"v=STSv1; id=old1\\\" instead of the CNAME)"), still);

        String zone = Files.readString(outside).replace("_mta-sts.example.net. TXT \"v=STSv1; id=old1\"\n", lines.get(1) + "\n");
        Files.writeString(outside, zone, StandardCharsets.UTF_8);
        String ready = local.awaitGet("example.net", o -> o.contains("\"lifecycle\":{\"state\":\"ready\""));
        assertTrue(ready.contains("\"announced_id\""), ready);
        HttpResponse<String> served = local.policy("example.net");
        assertEquals("version: STSv1\r\nmode: testing\r\nmx: mail.example.net\r\nmax_age: 86400\r\n", served.body());
        List<String> made = allRecords().stream().filter(r -> r.contains("example.net")).toList();
        assertEquals(List.of(ZONE + ".: example.net." + ZONE + ". A", ZONE + ".: example.net." + ZONE + ". AAAA",
                ZONE + ".: _mta-sts.example.net." + ZONE + ". TXT", ZONE + ".: _smtp._tls.example.net." + ZONE + ". TXT"),
                made.stream().sorted(java.util.Comparator.comparing(r -> r.replace("_", "~"))).toList(), made.toString());
        Cli readyGet = Cli.run("domain", "get", "example.net", "--endpoint-url", local.endpoint);
        System.out.println("$ mta-sts domain get example.net\n" + readyGet.out());

        Cli moveMx = Cli.run("domain", "move-mx", "example.net", "--to", "mx.new.example", "--endpoint-url", local.endpoint);
        assertEquals(1, moveMx.exit());
        assertTrue(moveMx.err().contains("DNS is not in Route53 (dns: delegated)"), moveMx.err());

        Cli remove = Cli.run("domain", "remove", "example.net", "--force", "--endpoint-url", local.endpoint);
        System.out.println("$ mta-sts domain remove example.net --force\n" + remove.out());
        assertEquals(0, remove.exit(), remove.err());
        assertTrue(remove.out().contains("Once it is removed, delete these records at example.net's DNS host:\n"), remove.out());
        for (String line : lines) {
            assertTrue(remove.out().contains("  " + line + "\n"), remove.out());
        }
        local.awaitGet("example.net", o -> o.startsWith("0 ") && o.contains("\"removed\":\""));
        assertEquals(List.of(), allRecords().stream().filter(r -> r.contains("example.net")).toList());
    }

    @Test
    void aDomainInRoute53IsNotTurnedIntoADelegatedOne() {
        local.route53.createHostedZone(r -> r.name("inzone.example").callerReference("inzone" + System.nanoTime()));
        assertEquals(0, Cli.run("domain", "add", "inzone.example", "--mode", "testing", "--mx", "mail.inzone.example",
                "--endpoint-url", local.endpoint).exit());
        Cli again = Cli.run("domain", "add", "inzone.example", "--delegated", "--endpoint-url", local.endpoint);
        assertEquals(1, again.exit(), again.out());
        assertTrue(again.err().contains("remove it (mta-sts domain remove inzone.example) and add it again with --delegated; "
                + "nothing written"), again.err());
    }
}
