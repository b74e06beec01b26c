package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.emulators.MotoServer;
import dev.mtasts.store.Dynamo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.apigatewayv2.ApiGatewayV2Client;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * {@code mta-sts provision}: the lifecycle run from the command line against an emulator, its live check fetching
 * from the local stack's listener ({@code serve --local-only} serves the rows, moto_server plays AWS).
 */
class ProvisionCliTest {
    static ServeCommand serve;
    static CompletableFuture<Integer> exit;
    static final StringWriter console = new StringWriter();
    static MotoServer moto;
    static String endpoint;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start();
        Path none = Files.writeString(dir.resolve("domains.json"), "[]");
        serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        cl.setOut(new PrintWriter(console, true));
        exit = CompletableFuture.supplyAsync(() -> cl.execute("--port", "0", "--dynamodb-port", "0", "--local-only",
                "--domains", none.toString()));
        assertTrue(serve.started.await(60, TimeUnit.SECONDS), console.toString());
        endpoint = "http://127.0.0.1:" + serve.dynamoPort;
    }

    @AfterAll
    static void stop() throws Exception {
        serve.stop();
        exit.get(30, TimeUnit.SECONDS);
        moto.close();
    }

    @Test
    void provisionBringsADomainToReadyAgainstAnEmulator() throws Exception {
        try (Route53Client route53 = Route53Client.builder().httpClient(UrlConnectionHttpClient.create())
                        .region(Region.AWS_GLOBAL).credentialsProvider(Dynamo.localCredentials())
                        .endpointOverride(moto.endpoint()).build();
                ApiGatewayV2Client api = ApiGatewayV2Client.builder().httpClient(UrlConnectionHttpClient.create())
                        .region(Region.US_EAST_1).credentialsProvider(Dynamo.localCredentials())
                        .endpointOverride(moto.endpoint()).build();
                AcmClient acm = AcmClient.builder().httpClient(UrlConnectionHttpClient.create())
                        .region(Region.US_EAST_1).credentialsProvider(Dynamo.localCredentials())
                        .endpointOverride(moto.endpoint()).build()) {
            String zoneId = route53.createHostedZone(r -> r.name("cli.example").callerReference("cli")).hostedZone().id();
            route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(Change.builder()
                    .action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder().name("cli.example.")
                            .type(RRType.MX).ttl(300L).resourceRecords(ResourceRecord.builder().value("10 mail.cli.example.")
                                    .build()).build()).build())));
            api.createApi(r -> r.name("cli-stack").protocolType("HTTP"));
            assertEquals(0, Cli.run("domain", "add", "cli.example", "--endpoint-url", endpoint).exit());

            Cli noApi = Cli.run("provision", "--domain", "cli.example", "--aws-endpoint-url", moto.endpoint().toString(),
                    "--endpoint-url", endpoint);
            assertEquals(2, noApi.exit());
            assertEquals("mta-sts: no HTTP API named mta-sts in this account and region: deploy the stack, or give "
                    + "--stack or --api-id\n", noApi.err().replace(System.lineSeparator(), "\n"));

            long t0 = System.nanoTime();
            Cli provision = Cli.run("provision", "--domain", "cli.example", "--stack", "cli-stack",
                    "--aws-endpoint-url", moto.endpoint().toString(), "--endpoint-url", endpoint,
                    "--live-check-url", "http://127.0.0.1:" + serve.httpPort, "--wait", "60");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("provision: " + ms + " ms\n" + provision.out());
            assertEquals(0, provision.exit(), provision.out() + provision.err());
            assertTrue(provision.out().contains("cli.example: ready — served on its own certificate and announced (id "),
                    provision.out());
            assertTrue(provision.out().endsWith("1 domain: 1 ready\n".replace("\n", System.lineSeparator())), provision.out());
            assertEquals(1, acm.listCertificates(r -> { }).certificateSummaryList().size());
            Cli get = Cli.run("domain", "get", "cli.example", "--endpoint-url", endpoint);
            assertTrue(get.out().contains("lifecycle: ready — served on its own certificate and announced"), get.out());
        }
    }
}
