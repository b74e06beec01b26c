package dev.mtasts.local;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.mtasts.lifecycle.LifecycleSettings;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.SourceAllowance;
import dev.mtasts.store.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The file {@code serve} writes for {@code sam local invoke --env-vars} and {@code sam local start-api --env-vars}:
 * each function of template.yaml with every variable the template declares for it, set to this run's tables, ports
 * and emulator. A function in a container reaches the local stack at {@value #HOST}: Docker Desktop names the host so
 * itself, and on Linux {@code sam local --add-host host.docker.internal:host-gateway} does (the stack then listens on
 * an address containers reach: {@code serve --bind}).
 *
 * <p>{@code sam local} sets only the variables the template declares, and resolves a {@code !Ref} to a table or
 * bucket as the resource's logical name, so each is given here. The endpoints are always set: without them the
 * functions would talk to AWS, with whatever credentials {@code sam local} passes them.
 */
public final class SamLocalEnv {
    /** The file's name in the data folder. */
    public static final String FILE = "sam-local-env.json";
    /** How a container names the machine it runs on. */
    public static final String HOST = "host.docker.internal";

    /** Every variable template.yaml's Globals give each function. */
    static final List<String> GLOBALS = List.of("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    private static final List<String> LIFECYCLE = List.of("DOMAINS_TABLE", "STATE_TABLE", "STACK_NAME", "HTTP_API_ID",
            "REPORT_MAILBOXES", "STS_TXT_TTL", "ALERT_TOPIC_ARN", "ALLOW_MX_SWITCH", "DELEGATION_ZONE", "LIVE_CHECK_URL");
    /** Each function of template.yaml, in its order, with the variables it declares besides the globals. */
    static final List<Map.Entry<String, List<String>>> FUNCTIONS = List.of(
            Map.entry("PolicyFunction", List.of("DOMAINS_TABLE", "STATE_TABLE")),
            Map.entry("ReportsApiFunction", List.of("DOMAINS_TABLE", "REPORTS_TABLE", "REPORTS_BUCKET",
                    "REPORT_TTL_DAYS", "EMAIL_DKIM", "REPORTS_PER_SOURCE_HOUR")),
            Map.entry("ReportsS3Function", List.of("DOMAINS_TABLE", "REPORTS_TABLE", "REPORTS_BUCKET",
                    "REPORT_TTL_DAYS", "EMAIL_DKIM")),
            Map.entry("ReportsStreamFunction", List.of("REPORTS_TABLE", "ALERT_TOPIC_ARN")),
            Map.entry("LifecycleFunction", LIFECYCLE),
            Map.entry("LifecycleScheduleFunction", LIFECYCLE),
            Map.entry("CheckFunction", List.of("DOMAINS_TABLE", "STATE_TABLE", "ALERT_TOPIC_ARN")));

    private SamLocalEnv() {
    }

    /**
     * The variables of every function for a local stack whose DynamoDB Local, HTTP listener and AWS emulator listen
     * on these ports of this machine.
     *
     * @param awsEndpoint the AWS emulator, or null without one: then the other services' endpoint is DynamoDB Local
     *     too, where their calls fail rather than reach AWS
     * @param apiId the HTTP API the local stack made in the emulator, or null
     * @param delegationZone the delegation zone of the emulator the stack started, or null
     */
    static Map<String, Map<String, String>> of(int dynamodbPort, int httpPort, URI awsEndpoint, String apiId,
            String delegationZone) {
        String dynamodb = "http://" + HOST + ":" + dynamodbPort;
        Map<String, String> values = new LinkedHashMap<>();
        values.put("AWS_ENDPOINT_URL", awsEndpoint == null ? dynamodb : "http://" + HOST + ":" + port(awsEndpoint));
        values.put("AWS_ENDPOINT_URL_DYNAMODB", dynamodb);
        values.put("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
        values.put("DOMAINS_TABLE", DomainStore.DEFAULT_TABLE);
        values.put("STATE_TABLE", StateStore.DEFAULT_TABLE);
        values.put("REPORTS_TABLE", ReportStore.DEFAULT_TABLE);
        values.put("REPORTS_BUCKET", LocalStack.BUCKET);
        values.put("REPORT_TTL_DAYS", Integer.toString(ReportStore.DEFAULT_TTL_DAYS));
        values.put("EMAIL_DKIM", "ses");
        values.put("REPORTS_PER_SOURCE_HOUR", Integer.toString(SourceAllowance.DEFAULT_PER_HOUR));
        values.put("STACK_NAME", Emulator.API_NAME);
        values.put("HTTP_API_ID", apiId == null ? "" : apiId);
        values.put("REPORT_MAILBOXES", "");
        values.put("STS_TXT_TTL", Long.toString(LifecycleSettings.DEFAULT_TTL));
        values.put("ALERT_TOPIC_ARN", "");
        values.put("ALLOW_MX_SWITCH", "false");
        values.put("DELEGATION_ZONE", delegationZone == null ? "" : delegationZone);
        values.put("LIVE_CHECK_URL", "http://" + HOST + ":" + httpPort);
        Map<String, Map<String, String>> env = new LinkedHashMap<>();
        for (var function : FUNCTIONS) {
            Map<String, String> vars = new LinkedHashMap<>();
            GLOBALS.forEach(name -> vars.put(name, values.get(name)));
            function.getValue().forEach(name -> vars.put(name, values.get(name)));
            env.put(function.getKey(), vars);
        }
        return env;
    }

    /** Writes the file into {@code folder} (made if missing), whole or not at all, and returns its path. */
    static Path write(Path folder, Map<String, Map<String, String>> env) {
        Path file = folder.resolve(FILE);
        try {
            Files.createDirectories(folder);
            Path tmp = Files.createTempFile(folder, FILE, ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                    JsonGenerator g = new JsonFactory().createGenerator(w)) {
                // "NAME": "value", one a line
                g.setPrettyPrinter(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));
                g.writeStartObject();
                for (var function : env.entrySet()) {
                    g.writeObjectFieldStart(function.getKey());
                    for (var v : function.getValue().entrySet()) {
                        g.writeStringField(v.getKey(), v.getValue());
                    }
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.flush();
                w.write('\n');
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static int port(URI endpoint) {
        return endpoint.getPort() >= 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80;
    }
}
