package dev.mtasts.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the stack may do, as CloudFormation gets it (template.yaml translated by the installed samtranslator, as
 * {@code sam deploy} does): every function on a role of its own that writes its own log group only, each role
 * scoped to what its function does, the public routes throttled and logged, the stack's state in a table of its own.
 */
class TemplateScopeTest {
    static Map<String, Map<String, Object>> resources;
    static Map<String, Object> translated;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void translate() throws Exception {
        Path out = Files.createTempFile("translated", ".json");
        Path script = Path.of("src", "test", "resources", "sam_validate.py").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString(), "template.yaml", out.toString())
                .directory(TemplateTest.ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putIfAbsent("AWS_DEFAULT_REGION", "us-east-1");
        Process p = pb.start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), said);
        try (InputStream in = Files.newInputStream(out)) {
            Map<String, Object> template = JacksonFactory.getInstance().getSerializer(Map.class).fromJson(in);
            translated = template;
            resources = (Map<String, Map<String, Object>>) template.get("Resources");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of(o);
    }

    static Map<String, Object> props(String resource) {
        Map<String, Object> r = resources.get(resource);
        assertNotNull(r, resource);
        return map(r.get("Properties"));
    }

    /** Every statement of a role's inline policies. */
    static List<Map<String, Object>> statements(String role) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object policy : list(props(role).get("Policies"))) {
            for (Object st : list(map(map(policy).get("PolicyDocument")).get("Statement"))) {
                Map<String, Object> statement = map(st);
                if (statement.containsKey("Fn::If")) {
                    statement = map(list(statement.get("Fn::If")).get(1));
                }
                out.add(statement);
            }
        }
        return out;
    }

    /** The statements of a role that allow this action. */
    static List<Map<String, Object>> allowing(String role, String action) {
        return statements(role).stream().filter(s -> list(s.get("Action")).contains(action)).toList();
    }

    static String roleOf(String function) {
        return String.valueOf(list(map(props(function).get("Role")).get("Fn::GetAtt")).get(0));
    }

    @Test
    void everyFunctionHasARoleOfItsOwnThatWritesItsOwnLogGroupOnly() {
        Map<String, String> logGroups = Map.of("PolicyFunction", "PolicyLogGroup", "ReportsApiFunction",
                "ReportsApiLogGroup", "ReportsS3Function", "ReportsS3LogGroup", "ReportsStreamFunction",
                "ReportsStreamLogGroup", "LifecycleFunction", "LifecycleLogGroup", "LifecycleScheduleFunction",
                "LifecycleLogGroup", "CheckFunction", "CheckLogGroup");
        long functions = resources.values().stream().filter(r -> "AWS::Lambda::Function".equals(r.get("Type"))).count();
        assertEquals(logGroups.size(), functions);
        logGroups.forEach((function, group) -> {
            String role = roleOf(function);
            assertFalse(String.valueOf(props(role).get("ManagedPolicyArns")).contains("AWSLambdaBasicExecutionRole"),
                    function + ": no logs on every log group");
            List<Map<String, Object>> logs = allowing(role, "logs:PutLogEvents");
            assertEquals(1, logs.size(), function);
            assertEquals(Map.of("Fn::GetAtt", List.of(group, "Arn")), logs.get(0).get("Resource"), function);
        });
        for (Map.Entry<String, Map<String, Object>> r : resources.entrySet()) {
            if ("AWS::IAM::Role".equals(r.getValue().get("Type"))) {
                assertFalse(String.valueOf(r.getValue()).contains("AWSLambdaBasicExecutionRole"), r.getKey());
            }
        }
    }

    @Test
    void thePolicyFunctionReadsTheRowAndTheStacksStateAndNothingElse() {
        String role = roleOf("PolicyFunction");
        List<Map<String, Object>> dynamo = statements(role).stream()
                .filter(s -> String.valueOf(s.get("Action")).contains("dynamodb:")).toList();
        assertEquals(1, dynamo.size());
        assertEquals(List.of("dynamodb:BatchGetItem"), list(dynamo.get(0).get("Action")));
        assertEquals(List.of(Map.of("Fn::GetAtt", List.of("DomainsTable", "Arn")),
                Map.of("Fn::GetAtt", List.of("StateTable", "Arn"))), list(dynamo.get(0).get("Resource")));
        for (String f : List.of("PolicyFunction", "LifecycleFunction", "LifecycleScheduleFunction", "CheckFunction")) {
            assertEquals(Map.of("Ref", "StateTable"), map(map(props(f).get("Environment")).get("Variables")).get("STATE_TABLE"), f);
        }
        assertEquals("Retain", resources.get("StateTable").get("DeletionPolicy"));
    }

    /** Only the stack's own: certificates and custom domains by the stack's tag, API mappings on its tagged ones. */
    @Test
    void theLifecycleTouchesOnlyWhatCarriesTheStacksTag() {
        String tag = "mta-sts-serverless:stack";
        Object stack = Map.of("Ref", "AWS::StackName");
        Map<String, Object> tagging = allowing("LifecycleRole", "acm:AddTagsToCertificate").get(0);
        Map<String, Object> condition = map(tagging.get("Condition"));
        assertEquals(stack, map(condition.get("StringEquals")).get("aws:RequestTag/" + tag));
        assertEquals(List.of(tag), map(condition.get("ForAllValues:StringEquals")).get("aws:TagKeys"));
        assertEquals("true", map(condition.get("Null")).get("aws:ResourceTag/" + tag), "never a certificate tagged already");
        Map<String, Object> deleting = allowing("LifecycleRole", "acm:DeleteCertificate").get(0);
        assertEquals(stack, map(map(deleting.get("Condition")).get("StringEquals")).get("aws:ResourceTag/" + tag));

        for (Map<String, Object> s : allowing("LifecycleRole", "apigateway:POST")) {
            String resource = String.valueOf(s.get("Resource"));
            String key = resource.endsWith("/apimappings") || resource.contains("apimappings")
                    ? "aws:ResourceTag/" + tag : "aws:RequestTag/" + tag;
            assertEquals(stack, map(map(s.get("Condition")).get("StringEquals")).get(key), resource);
        }
        List<Map<String, Object>> deletes = allowing("LifecycleRole", "apigateway:DELETE");
        assertEquals(1, deletes.size());
        assertEquals(stack, map(map(deletes.get(0).get("Condition")).get("StringEquals")).get("aws:ResourceTag/" + tag));
        assertTrue(allowing("LifecycleRole", "dynamodb:PutItem").stream()
                .allMatch(s -> s.get("Resource").equals(Map.of("Fn::GetAtt", List.of("StateTable", "Arn")))),
                "the rows are never replaced by the stack");
    }

    /**
     * MX records are the user's: the lifecycle may replace a domain's MX record set (domain move-mx --switch-mx) only
     * where the AllowMxSwitch parameter, false by default, says so: UPSERTs of MX sets and nothing else, never at a
     * wildcard or underscore name; no other statement lets it touch an MX record.
     */
    @Test
    void theLifecycleWritesMxRecordsOnlyWhereAllowedAndOnlyThat() {
        Map<String, Object> parameter = map(map(translated.get("Parameters")).get("AllowMxSwitch"));
        assertEquals("false", parameter.get("Default"));
        assertEquals(List.of("false", "true"), parameter.get("AllowedValues"));
        assertEquals(Map.of("Fn::Equals", List.of(Map.of("Ref", "AllowMxSwitch"), "true")),
                map(translated.get("Conditions")).get("MayWriteMx"));

        List<Object> raw = new ArrayList<>();
        for (Object policy : list(props("LifecycleRole").get("Policies"))) {
            raw.addAll(list(map(map(policy).get("PolicyDocument")).get("Statement")));
        }
        List<Map<String, Object>> mx = new ArrayList<>();
        for (Object st : raw) {
            Map<String, Object> statement = map(st);
            boolean conditional = statement.containsKey("Fn::If");
            Map<String, Object> allowed = conditional ? map(list(statement.get("Fn::If")).get(1)) : statement;
            if (!list(allowed.get("Action")).contains("route53:ChangeResourceRecordSets")) {
                continue;
            }
            Map<String, Object> types = map(map(allowed.get("Condition")).get("ForAllValues:StringEquals"));
            if (list(types.get("route53:ChangeResourceRecordSetsRecordTypes")).contains("MX")) {
                assertTrue(conditional && list(statement.get("Fn::If")).get(0).equals("MayWriteMx"), "only with AllowMxSwitch");
                assertEquals(Map.of("Ref", "AWS::NoValue"), list(statement.get("Fn::If")).get(2), "nothing otherwise");
                mx.add(allowed);
            }
        }
        assertEquals(1, mx.size(), "one statement writes MX records");
        Map<String, Object> condition = map(mx.get(0).get("Condition"));
        assertEquals(List.of("route53:ChangeResourceRecordSets"), list(mx.get(0).get("Action")));
        assertEquals(Map.of("route53:ChangeResourceRecordSetsRecordTypes", List.of("MX"),
                "route53:ChangeResourceRecordSetsActions", List.of("UPSERT")), condition.get("ForAllValues:StringEquals"),
                "MX sets replaced, never created or deleted, and nothing else in the same batch");
        assertEquals(Map.of("route53:ChangeResourceRecordSetsNormalizedRecordNames", List.of("*\\052*", "*_*")),
                condition.get("ForAllValues:StringNotLike"), "never a wildcard or an underscore name");
        for (String f : List.of("LifecycleFunction", "LifecycleScheduleFunction")) {
            Map<String, Object> env = map(map(props(f).get("Environment")).get("Variables"));
            assertEquals(Map.of("Ref", "AllowMxSwitch"), env.get("ALLOW_MX_SWITCH"), f);
            assertEquals(Map.of("Fn::If", List.of("HasAlertEmail", Map.of("Ref", "AlertTopic"), "")),
                    env.get("ALERT_TOPIC_ARN"), f);
        }
        List<Map<String, Object>> publish = allowing("LifecycleRole", "sns:Publish");
        assertEquals(1, publish.size());
        assertEquals(Map.of("Ref", "AlertTopic"), publish.get(0).get("Resource"), "its alerts go to the stack's topic only");
    }

    /**
     * Domains whose DNS is elsewhere (RFC 8461 §8.2): only where DelegationZone is set (empty by default: off), one
     * statement lets the lifecycle write their records, and only at names under that zone; nothing lets it write at a
     * delegated domain's own names but what a Route53 domain's set-up already allows (mta-sts.*, _mta-sts.*, ...).
     */
    @Test
    void theLifecycleWritesUnderTheDelegationZoneOnlyWhereSetAndOnlyThere() {
        Map<String, Object> parameter = map(map(translated.get("Parameters")).get("DelegationZone"));
        assertEquals("", parameter.get("Default"), "off by default");
        java.util.regex.Pattern allowed = java.util.regex.Pattern.compile(String.valueOf(parameter.get("AllowedPattern")));
        for (String ok : List.of("", "mta-sts.example-provider.net", "delegated.example.com")) {
            assertTrue(allowed.matcher(ok).matches(), ok);
        }
        for (String bad : List.of("Mta-Sts.Example.net", "mta-sts.example.net.", "*.example.net", "net", "a b.example")) {
            assertFalse(allowed.matcher(bad).matches(), bad);
        }
        assertEquals(Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "DelegationZone"), "")))),
                map(translated.get("Conditions")).get("HasDelegationZone"));

        List<Map<String, Object>> delegated = new ArrayList<>();
        for (Object policy : list(props("LifecycleRole").get("Policies"))) {
            for (Object st : list(map(map(policy).get("PolicyDocument")).get("Statement"))) {
                Map<String, Object> statement = map(st);
                if (statement.containsKey("Fn::If") && list(statement.get("Fn::If")).get(0).equals("HasDelegationZone")) {
                    assertEquals(Map.of("Ref", "AWS::NoValue"), list(statement.get("Fn::If")).get(2), "nothing when off");
                    delegated.add(map(list(statement.get("Fn::If")).get(1)));
                }
                String text = String.valueOf(statement);
                assertTrue(!text.contains("DelegationZone") || statement.containsKey("Fn::If"), "only under the condition");
            }
        }
        assertEquals(1, delegated.size());
        Map<String, Object> statement = delegated.get(0);
        assertEquals(List.of("route53:ChangeResourceRecordSets"), list(statement.get("Action")));
        Map<String, Object> condition = map(statement.get("Condition"));
        List<Object> names = list(map(condition.get("ForAllValues:StringLike")).get("route53:ChangeResourceRecordSetsNormalizedRecordNames"));
        assertEquals(List.of(Map.of("Fn::Sub", "*.${DelegationZone}")), names);
        assertEquals(List.of("A", "AAAA", "TXT", "CNAME"), list(map(condition.get("ForAllValues:StringEquals"))
                .get("route53:ChangeResourceRecordSetsRecordTypes")));
        // what IAM matches, for a stack deployed with DelegationZone=mta-sts.provider.example
        java.util.regex.Pattern like = java.util.regex.Pattern.compile(".*\\.mta-sts\\.provider\\.example");
        for (String written : List.of("example.org.mta-sts.provider.example", "_mta-sts.example.org.mta-sts.provider.example",
                "_smtp._tls.example.org.mta-sts.provider.example")) {
            assertTrue(like.matcher(written).matches(), written);
        }
        for (String elsewhere : List.of("mta-sts.provider.example", "example.org", "provider.example",
                "example.org.mta-sts.provider.example.evil.example", "mx.example.org")) {
            assertFalse(like.matcher(elsewhere).matches(), elsewhere);
        }
        for (String f : List.of("LifecycleFunction", "LifecycleScheduleFunction")) {
            assertEquals(Map.of("Ref", "DelegationZone"),
                    map(map(props(f).get("Environment")).get("Variables")).get("DELEGATION_ZONE"), f);
        }
    }

    @Test
    void theReportsEmailFunctionListsOnlyThePrefixItReads() {
        Map<String, Object> listing = allowing(roleOf("ReportsS3Function"), "s3:ListBucket").get(0);
        assertEquals(List.of("incoming/*"), map(map(listing.get("Condition")).get("StringLike")).get("s3:prefix"));
    }

    /** A flood of GETs meets API Gateway's throttle, not the account's Lambda concurrency; every request is logged. */
    @Test
    void thePublicRoutesAreThrottledAndLogged() {
        Map<String, Object> stage = resources.values().stream()
                .filter(r -> "AWS::ApiGatewayV2::Stage".equals(r.get("Type"))).map(r -> map(r.get("Properties")))
                .findFirst().orElseThrow();
        assertEquals(Map.of("ThrottlingRateLimit", 10, "ThrottlingBurstLimit", 20),
                numbers(map(stage.get("DefaultRouteSettings"))), "$default and every route without its own");
        Map<String, Object> routes = map(stage.get("RouteSettings"));
        assertEquals(Map.of("ThrottlingRateLimit", 100, "ThrottlingBurstLimit", 200),
                numbers(map(routes.get("GET /.well-known/mta-sts.txt"))));
        assertTrue(numbers(map(routes.get("POST /v1/tlsrpt"))).values().stream().allMatch(n -> n > 0), "reports too");
        Map<String, Object> logs = map(stage.get("AccessLogSettings"));
        assertEquals(Map.of("Fn::GetAtt", List.of("HttpApiAccessLogGroup", "Arn")), logs.get("DestinationArn"));
        assertTrue(String.valueOf(logs.get("Format")).contains("$context.status"));
        assertEquals(90, ((Number) props("HttpApiAccessLogGroup").get("RetentionInDays")).intValue());
    }

    static Map<String, Integer> numbers(Map<String, Object> m) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        m.forEach((k, v) -> out.put(k, ((Number) v).intValue()));
        return out;
    }
}
