package dev.mtasts.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.mtasts.cli.DomainsFile;
import dev.mtasts.local.LocalDynamoDb;
import dev.mtasts.policy.PolicyHandler;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What {@code sam local invoke PolicyFunction -e infra/events/X.json} does with the local stack running: each event
 * file, read by the Lambda runtime's own serialiser, through the handler, against DynamoDB Local seeded from
 * {@code infra/local/domains.json} as {@code mta-sts serve} seeds it.
 */
class EventReplayTest {
    static final Path EVENTS = Path.of("events");
    static final String EXAMPLE_COM = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.mx.example.net\r\n"
            + "max_age: 604800\r\n";
    static final String EXAMPLE_ORG = "version: STSv1\r\nmode: testing\r\nmx: mx1.example.org\r\nmx: mx2.example.org\r\n"
            + "max_age: 86400\r\n";

    private static LocalDynamoDb dynamo;
    private static DynamoDbClient client;
    private static PolicyHandler handler;

    @BeforeAll
    static void start() throws IOException {
        dynamo = LocalDynamoDb.start();
        client = Dynamo.create(dynamo.endpoint(), null);
        DomainStore store = new DomainStore(client, DomainStore.DEFAULT_TABLE);
        store.createTable();
        DomainsFile.load(store, DomainsFile.read(Path.of("local", "domains.json")));
        handler = new PolicyHandler(store);
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamo.close();
    }

    static Stream<Arguments> policyEvents() {
        return Stream.of(
                Arguments.of("policy-get.json", 200, EXAMPLE_COM),
                Arguments.of("policy-head.json", 200, ""),
                Arguments.of("policy-get-sam-local.json", 200, EXAMPLE_ORG),
                Arguments.of("policy-unknown-domain.json", 404,
                        "Not found: no MTA-STS policy is published for unknown.example.\n"),
                Arguments.of("policy-wrong-path.json", 404, "Not found: mta-sts.example.com serves only the MTA-STS "
                        + "policy of example.com at /.well-known/mta-sts.txt (RFC 8461).\n"),
                Arguments.of("policy-post.json", 405, "Method not allowed: use GET or HEAD.\n"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("policyEvents")
    void replay(String file, int status, String body) throws IOException {
        APIGatewayV2HTTPEvent event;
        try (InputStream in = Files.newInputStream(EVENTS.resolve(file))) {
            event = serializer(APIGatewayV2HTTPEvent.class).fromJson(in);
        }
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
        assertEquals(status, response.getStatusCode());
        assertEquals(body, response.getBody());

        // the response must survive the runtime's serialisation back to API Gateway
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer(APIGatewayV2HTTPResponse.class).toJson(response, out);
        String json = out.toString(StandardCharsets.UTF_8);
        assertTrue(json.contains("\"statusCode\":" + status), json);
    }

    @Test
    void everyEventFileIsReplayed() throws IOException {
        Set<String> covered = policyEvents().map(a -> (String) a.get()[0]).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(EVENTS)) {
            Set<String> present = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(covered), present, "each file in infra/events needs an expected answer here");
        }
    }

    @Test
    void envJsonNamesTheTemplatesFunctionsAndVariables() throws IOException {
        String template = Files.readString(Path.of("..", "template.yaml"));
        String env = Files.readString(Path.of("env.json"));
        for (String name : Map.of("PolicyFunction", "", "DOMAINS_TABLE", "", "DYNAMODB_ENDPOINT", "").keySet()) {
            assertTrue(env.contains("\"" + name + "\""), "env.json lacks " + name);
            assertTrue(template.contains(name), "template.yaml lacks " + name);
        }
    }

    private static <T> PojoSerializer<T> serializer(Class<T> type) {
        return LambdaEventSerializers.serializerFor(type, EventReplayTest.class.getClassLoader());
    }
}
