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
            p = new ProcessBuilder("cfn-lint", "template.yaml", "infra/import-tables.yaml").directory(ROOT.toFile()).redirectErrorStream(true).start();
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
        assertTrue(output.contains("7 AWS::Lambda::Function") && output.contains("4 AWS::Events::Rule"), output);
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
     * After {@code sam delete}, the kept tables are imported into a new stack of the same name with
     * infra/import-tables.yaml (docs/deploying.md): its tables must be exactly the template's, or the import takes
     * tables the next {@code sam deploy} would replace.
     */
    @Test
    void theImportTemplateHoldsTheTemplatesTablesExactly() throws Exception {
        String template = Files.readString(ROOT.resolve("template.yaml"));
        String imports = Files.readString(ROOT.resolve("infra/import-tables.yaml"));
        Matcher resources = Pattern.compile("\n  (\\w+):\n    Type: ([\\w:]+)").matcher(imports);
        List<String> names = new java.util.ArrayList<>();
        while (resources.find()) {
            assertEquals("AWS::DynamoDB::Table", resources.group(2), resources.group(1));
            names.add(resources.group(1));
            assertEquals(resource(template, resources.group(1)), resource(imports, resources.group(1)), resources.group(1));
        }
        Matcher tables = Pattern.compile("\n  (\\w+):\n    Type: AWS::DynamoDB::Table").matcher(template);
        List<String> all = new java.util.ArrayList<>();
        while (tables.find()) {
            all.add(tables.group(1));
        }
        assertEquals(all, names, "every table of the template, in its order");
        assertTrue(imports.contains("DeletionPolicy: Retain"), "an import needs a DeletionPolicy");
    }

    /** A resource's lines, comments and blank lines left out. */
    private static List<String> resource(String yaml, String name) {
        Matcher m = Pattern.compile("\n  " + name + ":\n((?:    .*\n|[ \t]*\n)+)").matcher(yaml);
        assertTrue(m.find(), name + " not found");
        return m.group(1).lines().map(l -> l.replaceAll("\\s+#.*$", ""))
                .filter(l -> !l.isBlank() && !l.strip().startsWith("#")).toList();
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
        assertTrue(Pattern.compile("IncomingSweep:\\s+Type: Schedule\\s+Properties:\\s+Schedule: rate\\(1 hour\\)")
                .matcher(template).find(), "the S3 function's hourly sweep");
        assertTrue(template.contains("EventBridgeEnabled: true") && template.contains("detail-type: [Object Created]"),
                "objects created reach the S3 function through EventBridge");
        Matcher perSource = Pattern.compile("REPORTS_PER_SOURCE_HOUR: \"(\\d+)\"").matcher(template);
        assertTrue(perSource.find());
        Matcher route = Pattern.compile("Path: /v1/tlsrpt[\\s\\S]*?ThrottlingRateLimit: (\\d+)\\s+ThrottlingBurstLimit: (\\d+)")
                .matcher(template);
        assertTrue(route.find());
        // a source at its allowance uses a sliver of the route: others are still served
        assertTrue(Integer.parseInt(perSource.group(1)) / 3600.0 < Integer.parseInt(route.group(1)) / 10.0);
        assertTrue(template.contains("MetricName: ReportsWaiting"), "an alarm on reports waiting in incoming/");
    }

    /**
     * What {@code sam build} does for each function: {@code make build-<Function>} at the repository's root with
     * ARTIFACTS_DIR set; the function's folder then holds the jar that has its handler, in lib/ where Lambda's Java
     * runtime looks. (Maven has built the jars already in this build: the Makefile's Maven step is a no-op here.)
     */
    @Test
    void theMakefileGivesEachFunctionTheJarWithItsHandler(@org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        String template = Files.readString(ROOT.resolve("template.yaml"));
        Matcher function = Pattern.compile("\n  (\\w+):\\n    Type: AWS::Serverless::Function\\n    Metadata:\\n"
                + "      BuildMethod: makefile[^\\n]*\\n[\\s\\S]*?Handler: ([\\w.]+)::(\\w+)").matcher(template);
        int functions = 0;
        while (function.find()) {
            String name = function.group(1);
            Path dir = out.resolve(name);
            Process p = new ProcessBuilder("make", "--no-print-directory", "build-" + name, "ARTIFACTS_DIR=" + dir,
                    "MVN=true", "STAMP=" + out.resolve("jars.built")).directory(ROOT.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES));
            assertEquals(0, p.exitValue(), "make build-" + name + ":\n" + output);
            List<Path> jars;
            try (var files = Files.list(dir.resolve("lib"))) {
                jars = files.toList();
            }
            assertEquals(1, jars.size(), name + ": " + jars);
            try (java.util.jar.JarFile zip = new java.util.jar.JarFile(jars.get(0).toFile())) {
                assertTrue(zip.getEntry(function.group(2).replace('.', '/') + ".class") != null,
                        name + ": " + jars.get(0).getFileName() + " has " + function.group(2));
                servicesAreClassesOfTheJar(name, zip);
            }
            functions++;
        }
        assertEquals(7, functions, "every function is built by the Makefile");
        assertFalse(template.contains("SkipBuild"), "sam build builds: nothing is skipped");
    }

    /**
     * Each service a function's jar declares (META-INF/services) is a class Lambda's class loader finds in it: at the
     * jar's root, or under META-INF/versions/ only where the manifest says Multi-Release. A service whose class it
     * cannot find fails the lookup: the JVM's name resolver, looked up at the first host name the function resolves,
     * would fail every call the function makes.
     */
    private static void servicesAreClassesOfTheJar(String function, java.util.jar.JarFile jar) throws java.io.IOException {
        boolean multiRelease = jar.getManifest() != null
                && "true".equalsIgnoreCase(jar.getManifest().getMainAttributes().getValue("Multi-Release"));
        for (var entry : java.util.Collections.list(jar.entries())) {
            if (!entry.getName().startsWith("META-INF/services/") || entry.isDirectory()) {
                continue;
            }
            String text = new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.lines().map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty()).toList()) {
                String file = line.replace('.', '/') + ".class";
                boolean found = jar.getEntry(file) != null || multiRelease && java.util.Collections.list(jar.entries())
                        .stream().anyMatch(e -> e.getName().startsWith("META-INF/versions/") && e.getName().endsWith("/" + file));
                assertTrue(found, function + ": " + entry.getName() + " names " + line + ", which the jar does not have"
                        + (multiRelease ? "" : " outside META-INF/versions (its manifest does not say Multi-Release)"));
            }
        }
    }

    @Test
    void handlersExist() throws Exception {
        String template = Files.readString(ROOT.resolve("template.yaml"));
        Matcher handler = Pattern.compile("Handler: ([\\w.]+)::(\\w+)").matcher(template);
        int handlers = 0;
        while (handler.find()) {
            Class<?> type = Class.forName(handler.group(1));
            assertTrue(java.util.Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(handler.group(2))),
                    handler.group());
            handlers++;
        }
        assertEquals(7, handlers, "a handler for each function");
    }
}
