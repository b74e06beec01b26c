package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.store.Dynamo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import picocli.CommandLine;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * {@code mta-sts serve} on free ports with its moto_server, for the command-line tests that go through the whole
 * local stack, and what they ask of it: the table endpoint for {@code domain} commands, Route53 for zones and records,
 * {@code domain get} until a domain gets somewhere, the policy host as the gateway serves it.
 */
final class LocalServe implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final ServeCommand serve = new ServeCommand();
    /** What serve printed, for the messages of failed assertions. */
    final StringWriter console = new StringWriter();
    /** DynamoDB Local's address, for {@code --endpoint-url}. */
    final String endpoint;
    /** The moto_server serve started, as Route53. */
    final Route53Client route53;
    private final CompletableFuture<Integer> exit;

    /** Starts serve with {@code args} after the free ports, and waits until it is up with its moto_server. */
    LocalServe(String... args) throws InterruptedException {
        CommandLine cl = new CommandLine(serve);
        cl.setOut(new PrintWriter(console, true));
        List<String> line = new ArrayList<>(List.of("--port", "0", "--dynamodb-port", "0"));
        line.addAll(List.of(args));
        exit = CompletableFuture.supplyAsync(() -> cl.execute(line.toArray(String[]::new)));
        assertTrue(serve.started.await(90, TimeUnit.SECONDS), "serve did not start: " + console);
        assertTrue(serve.awsInUse != null, "serve started its moto_server: " + console);
        endpoint = "http://127.0.0.1:" + serve.dynamoPort;
        route53 = Route53Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.AWS_GLOBAL)
                .credentialsProvider(Dynamo.localCredentials()).endpointOverride(serve.awsInUse).build();
    }

    /** {@code domain get D --json} until its output (exit status, a space, what it printed) passes the test, or a minute. */
    String awaitGet(String domain, Predicate<String> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        String out = "";
        while (Instant.now().isBefore(deadline)) {
            Cli get = Cli.run("domain", "get", domain, "--json", "--endpoint-url", endpoint);
            out = get.exit() + " " + get.out() + get.err();
            if (done.test(out)) {
                return out;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(domain + " did not get there: " + out + "\n" + console);
    }

    /** The domain's policy as the local gateway serves it to senders. */
    HttpResponse<String> policy(String domain) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.httpPort + "/.well-known/mta-sts.txt"))
                .header("Host", "mta-sts." + domain).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        route53.close();
        serve.stop();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }
}
