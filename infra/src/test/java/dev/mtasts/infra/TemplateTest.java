package dev.mtasts.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** template.yaml is what {@code sam deploy} reads: it must lint clean and point at what Maven builds. */
class TemplateTest {
    static final Path ROOT = Path.of("..");

    @Test
    void cfnLintReportsNothing() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("cfn-lint", "template.yaml").directory(ROOT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cfn-lint is needed to check template.yaml (pip install cfn-lint): " + e.getMessage());
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "cfn-lint did not finish");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("", output, "cfn-lint template.yaml");
        assertEquals(0, p.exitValue());
    }

    /**
     * What {@code sam validate}, {@code sam build}, {@code sam deploy} and {@code sam local} run first: the installed
     * samtranslator (the library cfn-lint and the SAM CLI share) must translate the template, local CodeUris
     * replaced by S3 URIs as {@code sam validate} does.
     */
    @Test
    void theSamTranslatorTranslatesTheTemplateAsSamValidateDoes() throws Exception {
        Path script = Path.of("src", "test", "resources", "sam_validate.py").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString(), "template.yaml")
                .directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putIfAbsent("AWS_DEFAULT_REGION", "us-east-1"); // sam validate takes the region of the profile
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "samtranslator did not finish");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), "samtranslator refuses template.yaml:\n" + output);
        assertTrue(output.startsWith("ok "), output);
        assertTrue(output.contains("7 AWS::Lambda::Function") && output.contains("3 AWS::Events::Rule"), output);
    }

    /** Only the stack's fixed parts: no per-domain resources, no language extensions, nothing per domain to answer. */
    @Test
    void theTemplateHoldsOnlyTheStacksFixedParts() throws Exception {
        String template = Files.readString(ROOT.resolve("template.yaml"));
        for (String gone : List.of("Fn::ForEach", "AWS::LanguageExtensions", "Domains:", "AWS::CertificateManager::Certificate",
                "AWS::ApiGatewayV2::DomainName", "AWS::Route53::RecordSet", "Custom::", "route53:GetChange",
                "dynamodb:ConditionCheckItem", "DYNAMODB_ENDPOINT", "S3_ENDPOINT")) {
            assertFalse(template.contains(gone), "template.yaml still has " + gone);
        }
        Matcher timeout = Pattern.compile("Handler: dev.mtasts.reports.HttpReportHandler::handleRequest[\\s\\S]*?Timeout: (\\d+)")
                .matcher(template);
        assertTrue(timeout.find());
        assertTrue(Integer.parseInt(timeout.group(1)) < 30, "the HTTPS reports function answers before the HTTP API's 30 s");
        assertTrue(template.contains("AWS:SourceArn"), "the SES bucket policy names the receipt rules");
    }

    /**
     * Mailed reports: nothing expires from incoming/ unread, and the hourly sweep sends the S3 function exactly the
     * event infra/events/report-s3-sweep.json replays. The report route's limit is well above one source's allowance.
     */
    @Test
    void theReportRoutesKeepWhatTheyPromise() throws Exception {
        String template = Files.readString(ROOT.resolve("template.yaml"));
        Matcher rules = Pattern.compile("- Id: ([\\w-]+)\\s+Status: Enabled\\s+Prefix: ([\\w/]+)").matcher(template);
        int prefixes = 0;
        while (rules.find()) {
            assertFalse(rules.group(2).startsWith("incoming"), "incoming/ expires by rule " + rules.group(1));
            prefixes++;
        }
        assertTrue(prefixes >= 4, "the lifecycle rules were not found");
        Matcher sweep = Pattern.compile("IncomingSweep:\\s+Type: Schedule\\s+Properties:\\s+Schedule: rate\\(1 hour\\)"
                + "\\s+Input: '([^']+)'").matcher(template);
        assertTrue(sweep.find(), "the S3 function's hourly sweep");
        assertEquals(Files.readString(Path.of("events", "report-s3-sweep.json")).replaceAll("\\s", ""),
                sweep.group(1).replaceAll("\\s", ""));
        Matcher perSource = Pattern.compile("REPORTS_PER_SOURCE_HOUR: \"(\\d+)\"").matcher(template);
        assertTrue(perSource.find());
        Matcher route = Pattern.compile("Path: /v1/tlsrpt[\\s\\S]*?ThrottlingRateLimit: (\\d+)\\s+ThrottlingBurstLimit: (\\d+)")
                .matcher(template);
        assertTrue(route.find());
        // a source at its allowance uses a sliver of the route: others are still served
        assertTrue(Integer.parseInt(perSource.group(1)) / 3600.0 < Integer.parseInt(route.group(1)) / 10.0);
        assertTrue(template.contains("MetricName: ReportsWaiting"), "an alarm on reports waiting in incoming/");
    }

    @Test
    void handlersAndCodeUrisExist() throws Exception {
        String template = Files.readString(ROOT.resolve("template.yaml"));
        Matcher handler = Pattern.compile("Handler: ([\\w.]+)::(\\w+)").matcher(template);
        int handlers = 0;
        while (handler.find()) {
            Class<?> type = Class.forName(handler.group(1));
            assertTrue(java.util.Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(handler.group(2))),
                    handler.group());
            handlers++;
        }
        assertTrue(handlers > 0, "no Handler in template.yaml");
        Matcher codeUri = Pattern.compile("CodeUri: (functions/(\\w+)/target/(\\w+)\\.jar)").matcher(template);
        int jars = 0;
        while (codeUri.find()) {
            String pom = Files.readString(ROOT.resolve("functions").resolve(codeUri.group(2)).resolve("pom.xml"));
            assertTrue(pom.contains("<finalName>" + codeUri.group(3) + "</finalName>"),
                    codeUri.group(1) + " is not what functions/" + codeUri.group(2) + " builds");
            jars++;
        }
        assertEquals(handlers, jars, "every function is a pre-built jar");
    }
}
