package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mtasts.lifecycle.CustomDomains;
import dev.mtasts.policy.PolicyHandler;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.DomainStore;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewayv2.ApiGatewayV2Client;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * {@code sam local} against {@code mta-sts serve}, as docs/sam-local.md runs it: serve listens where containers reach
 * it only when the user says so (--bind, --expose), starts its moto_server on the port the user names and prepares it
 * as it always does, and writes the file for {@code sam local --env-vars}: every variable template.yaml declares for
 * each function, pointing at this run's ports; the policy function built from it answers 200.
 */
class ServeSamLocalTest {
    static final Path TEMPLATE = Path.of("..", "..", "template.yaml");
    /** The template's variables that are deployed values, which the file replaces for sam local. */
    static final List<String> LOCAL_ONLY = List.of("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "LIVE_CHECK_URL");

    @TempDir
    Path dir;

    static Stream<Arguments> refusedAddresses() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("0.0.0.0", "anyone who reaches this machine, at any of its addresses,"));
        InetAddress own = ownAddress();
        if (own != null) {
            cases.add(Arguments.of(own.getHostAddress(), "anyone who reaches " + own.getHostAddress()));
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("refusedAddresses")
    void anAddressOtherThanLoopbackIsRefusedSayingWhatItWouldExpose(String address, String who) throws Exception {
        int http = freePort();
        int dynamodb = freePort();
        Path data = dir.resolve("data");
        Cli serve = Cli.run("serve", "--bind", address, "--port", Integer.toString(http), "--dynamodb-port",
                Integer.toString(dynamodb), "--data-dir", data.toString());
        assertEquals(Main.ERROR, serve.exit(), serve.out() + serve.err());
        assertEquals("", serve.out());
        assertEquals("mta-sts: --bind " + address + " is not a loopback address: " + who + " could use, without "
                + "authentication,\n"
                + "  DynamoDB Local on port " + dynamodb + ": read, change and delete the domains, the stack's state and "
                + "the reports\n"
                + "  the HTTP server on port " + http + ": the policies, the reports page and POST /v1/tlsrpt\n"
                + "  the moto_server started here on a free port: its hosted zones, certificates, custom domains and "
                + "bucket\n"
                + "Add --expose to listen there all the same.\n", serve.err());
        // nothing was started or written
        assertFalse(listening(InetAddress.getLoopbackAddress(), http));
        assertFalse(listening(InetAddress.getLoopbackAddress(), dynamodb));
        assertFalse(Files.exists(data));
    }

    @Test
    void withoutAnEmulatorThereIsNoMotoServerToExpose() {
        Cli serve = Cli.run("serve", "--bind", "0.0.0.0", "--local-only", "--data-dir", dir.resolve("d").toString());
        assertEquals(Main.ERROR, serve.exit());
        assertTrue(serve.err().contains("DynamoDB Local on port 8000") && serve.err().contains("the HTTP server on port 8080"),
                serve.err());
        assertFalse(serve.err().contains("moto_server"), serve.err());
    }

    static Stream<Arguments> badAddresses() {
        return Stream.of(
                Arguments.of("198.51.100.7", "mta-sts: --bind 198.51.100.7: not an address of this machine (ip address lists them)\n"),
                Arguments.of("no-such-host.invalid", "mta-sts: --bind no-such-host.invalid: no such address\n"));
    }

    @ParameterizedTest
    @MethodSource("badAddresses")
    void anAddressThisMachineDoesNotHaveIsRefused(String address, String message) {
        Cli serve = Cli.run("serve", "--bind", address, "--expose", "--data-dir", dir.resolve("d").toString());
        assertEquals(Main.ERROR, serve.exit());
        assertEquals(message, serve.err());
    }

    @Test
    void theAwsPortIsForTheMotoServerStartedHere() {
        for (String other : List.of("--local-only", "--aws-endpoint-url=http://127.0.0.1:4566")) {
            Cli serve = Cli.run("serve", "--aws-port", "5000", other, "--data-dir", dir.resolve("d").toString());
            assertEquals(Main.ERROR, serve.exit());
            assertEquals("mta-sts: --aws-port is the port of the moto_server started here: not with "
                    + other.replaceFirst("=.*", "") + "\n", serve.err());
        }
    }

    /**
     * docs/sam-local.md's recipe, but for the container: serve exposed on an address of this machine, its moto_server
     * on a port named; the domain is made ready in that moto_server; the env-vars file names the three ports; the
     * policy function built from the file's PolicyFunction variables answers the recorded GET with 200.
     */
    @Test
    void exposedServeWritesTheEnvVarsFileAndThePolicyFunctionAnswers200() throws Exception {
        InetAddress own = ownAddress();
        InetAddress address = own != null ? own : InetAddress.getByName("0.0.0.0");
        InetAddress reach = own != null ? own : InetAddress.getLoopbackAddress();
        int awsPort = freePort();
        Path domains = dir.resolve("domains.json");
        Files.writeString(domains, "[{\"domain\": \"example.com\", \"mode\": \"testing\", \"mx\": [\"mail.example.com\"],"
                + " \"max_age\": 86400}]");
        Path data = dir.resolve("data");
        ServeRestartTest.Serve serve = ServeRestartTest.Serve.start("--bind", address.getHostAddress(), "--expose",
                "--aws-port", Integer.toString(awsPort), "--domains", domains.toString(), "--data-dir", data.toString());
        try {
            String banner = serve.out().toString();
            int http = serve.command().httpPort;
            int dynamodb = serve.command().dynamoPort;
            assertTrue(http > 0 && dynamodb > 0, banner + serve.err());
            assertEquals(URI.create("http://" + host(reach) + ":" + awsPort), serve.command().awsInUse, banner);
            Path file = data.resolve("sam-local-env.json");
            assertTrue(banner.contains("  sam local       --env-vars " + file + "  (these ports, at host.docker.internal)\n"),
                    banner);
            assertTrue(banner.contains("  Exposed         " + (own != null ? "on " + own.getHostAddress()
                    : "on every address of this machine") + ", without authentication (--bind, --expose)\n"), banner);
            // all three listen on the address given, and only there
            for (int port : List.of(http, dynamodb, awsPort)) {
                assertTrue(listening(reach, port), port + " on " + reach + "\n" + banner);
                if (own != null) {
                    assertFalse(listening(InetAddress.getLoopbackAddress(), port), port + " on 127.0.0.1");
                }
            }
            String endpoint = "http://" + host(reach) + ":" + dynamodb;
            awaitReady(endpoint, banner);

            Map<String, Map<String, String>> env = readEnv(file);
            Map<String, Map<String, Object>> template = templateVariables();
            assertEquals(List.copyOf(template.keySet()), List.copyOf(env.keySet()), "the template's functions, in order");
            String api;
            try (ApiGatewayV2Client apis = ApiGatewayV2Client.builder().httpClient(UrlConnectionHttpClient.create())
                    .region(Region.US_EAST_1).credentialsProvider(Dynamo.localCredentials())
                    .endpointOverride(serve.command().awsInUse).build()) {
                api = CustomDomains.findApi(apis, "mta-sts");
            }
            assertNotNull(api);
            for (var function : template.entrySet()) {
                Map<String, String> vars = env.get(function.getKey());
                assertEquals(List.copyOf(function.getValue().keySet()), List.copyOf(vars.keySet()),
                        function.getKey() + ": the variables template.yaml declares, in its order");
                function.getValue().forEach((name, declared) -> {
                    if (declared instanceof String literal && !literal.startsWith("!") && !LOCAL_ONLY.contains(name)) {
                        assertEquals(literal, vars.get(name), function.getKey() + " " + name + " as the template sets it");
                    }
                });
                assertEquals("http://host.docker.internal:" + dynamodb, vars.get("AWS_ENDPOINT_URL_DYNAMODB"));
                assertEquals("http://host.docker.internal:" + awsPort, vars.get("AWS_ENDPOINT_URL"));
                assertEquals("false", vars.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"));
                if (vars.containsKey("LIVE_CHECK_URL")) {
                    assertEquals("http://host.docker.internal:" + http, vars.get("LIVE_CHECK_URL"));
                    assertEquals(api, vars.get("HTTP_API_ID"));
                    assertEquals("mta-sts", vars.get("STACK_NAME"));
                }
            }
            // serve prepared its moto_server on the port named: the domain's zone is there
            try (Route53Client route53 = Route53Client.builder().httpClient(UrlConnectionHttpClient.create())
                    .region(Region.AWS_GLOBAL).credentialsProvider(Dynamo.localCredentials())
                    .endpointOverride(serve.command().awsInUse).build()) {
                assertTrue(route53.listHostedZones().hostedZones().stream().anyMatch(z -> z.name().equals("example.com.")));
            }

            // the policy function as sam local builds it from the file: its tables, at the file's DynamoDB port
            Map<String, String> policy = env.get("PolicyFunction");
            URI dynamoFromFile = URI.create(policy.get("AWS_ENDPOINT_URL_DYNAMODB").replace("host.docker.internal", host(reach)));
            DomainStore store = new DomainStore(Dynamo.create(dynamoFromFile, null), policy.get("DOMAINS_TABLE"))
                    .withState(policy.get("STATE_TABLE"));
            APIGatewayV2HTTPResponse response = new PolicyHandler(store).handleRequest(APIGatewayV2HTTPEvent.builder()
                    .withRawPath("/.well-known/mta-sts.txt").withHeaders(Map.of("host", "mta-sts.example.com"))
                    .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withDomainName("mta-sts.example.com")
                            .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET")
                                    .withPath("/.well-known/mta-sts.txt").build()).build()).build(), null);
            assertEquals(200, response.getStatusCode(), response.getBody());
            assertTrue(response.getBody().startsWith("version: STSv1\r\nmode: testing\r\n"), response.getBody());
        } finally {
            assertEquals(0, serve.stop());
        }
        assertFalse(listening(reach, awsPort), "the moto_server stops with serve");
    }

    @Test
    void theAwsPortTakenIsSaidInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Cli serve = Cli.run("serve", "--port", "0", "--dynamodb-port", "0", "--aws-port",
                    Integer.toString(taken.getLocalPort()), "--data-dir", dir.resolve("d").toString());
            assertEquals(Main.ERROR, serve.exit(), serve.out() + serve.err());
            assertEquals("mta-sts: port " + taken.getLocalPort() + " on 127.0.0.1 is in use; choose another with "
                    + "--aws-port\n", serve.err());
        }
    }

    private static void awaitReady(String endpoint, String banner) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        String got = "";
        while (System.nanoTime() < deadline) {
            Cli get = Cli.run("domain", "get", "example.com", "--json", "--endpoint-url", endpoint);
            got = get.out() + get.err();
            if (ServeRestartTest.ready(got)) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("example.com did not get ready: " + got + "\n" + banner);
    }

    /** The file serve wrote: function, then variable, then value, in the file's order. */
    static Map<String, Map<String, String>> readEnv(Path file) throws IOException {
        Map<String, Map<String, String>> env = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String function = p.currentName();
                assertEquals(JsonToken.START_OBJECT, p.nextToken());
                Map<String, String> vars = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    assertEquals(JsonToken.VALUE_STRING, p.nextToken(), function + " " + name + " is a string");
                    vars.put(name, p.getText());
                }
                env.put(function, vars);
            }
        }
        return env;
    }

    /**
     * template.yaml read as YAML: each AWS::Serverless::Function, in order, with the variables it gets (the Globals',
     * then its own), each a plain value or its tag ({@code !Ref DomainsTable}, {@code !If}).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> templateVariables() throws IOException {
        Map<String, Object> t = new Yaml(new Tags()).load(Files.readString(TEMPLATE));
        Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                t.get("Globals")).get("Function")).get("Environment")).get("Variables");
        Map<String, Map<String, Object>> functions = new LinkedHashMap<>();
        ((Map<String, Object>) t.get("Resources")).forEach((name, value) -> {
            Map<String, Object> resource = (Map<String, Object>) value;
            if (!"AWS::Serverless::Function".equals(resource.get("Type"))) {
                return;
            }
            Map<String, Object> vars = new LinkedHashMap<>(globals);
            Object environment = ((Map<String, Object>) resource.get("Properties")).get("Environment");
            if (environment != null) {
                vars.putAll((Map<String, Object>) ((Map<String, Object>) environment).get("Variables"));
            }
            functions.put(name, Collections.unmodifiableMap(vars));
        });
        assertFalse(functions.isEmpty());
        return functions;
    }

    /** CloudFormation's short forms ({@code !Ref X}, {@code !If [...]}) read as their text. */
    static final class Tags extends SafeConstructor {
        Tags() {
            super(new LoaderOptions());
            this.yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    return node.getTag().getValue() + (node instanceof ScalarNode s ? " " + s.getValue() : "");
                }
            });
        }
    }

    /** A non-loopback IPv4 address of this machine, or null where it has none. */
    static InetAddress ownAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
            return null;
        } catch (java.net.SocketException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String host(InetAddress a) {
        return a.getHostAddress();
    }

    private static boolean listening(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
