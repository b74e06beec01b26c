package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mistake gets one line in the tool's own words saying what to do, and the exit code of the documented rule: 1 for
 * invalid input, 2 for usage and I/O errors (a missing file is one, whichever command reads it).
 */
class ErrorsCliTest {
    @TempDir
    Path dir;

    static void oneLine(Cli r, int exit, String expected) {
        assertEquals(exit, r.exit(), r.out() + r.err());
        String err = r.err().replace(System.lineSeparator(), "\n");
        assertTrue(err.startsWith(expected), err);
        assertFalse(err.contains("Exception"), "no class names: " + err);
        assertTrue(err.lines().count() <= 2, "one line (and at most a pointer to --help): " + err);
    }

    @Test
    void badValuesOnTheCommandLine() {
        oneLine(Cli.run("domain", "list", "--endpoint-url", "127.0.0.1:8000"), 2,
                "mta-sts: Invalid value for option '--endpoint-url': must be a URL like http://127.0.0.1:8000 (got \"127.0.0.1:8000\")");
        oneLine(Cli.run("serve", "--port", "99999"), 2, "mta-sts: --port must be 0 to 65535 (got 99999)");
        oneLine(Cli.run("serve", "--dynamodb-port", "-1"), 2, "mta-sts: --dynamodb-port must be 0 to 65535 (got -1)");
    }

    @Test
    void aMissingFileIsAnIoErrorForEveryCommand() {
        Path none = dir.resolve("none.json");
        oneLine(Cli.run("policy", "lint", none.toString()), 2, "mta-sts: " + none + ": no such file");
        oneLine(Cli.run("report", "parse", none.toString()), 2, "mta-sts: " + none + ": no such file");
        Cli ingest = Cli.run("report", "ingest", none.toString(), "--endpoint-url", "http://127.0.0.1:9");
        assertEquals(2, ingest.exit(), ingest.out() + ingest.err());
        oneLine(Cli.run("serve", "--domains", none.toString()), 2, "mta-sts: " + none + ": no such file");
    }

    @Test
    void aBrokenDomainsFileSaysWhereInOurWords() throws Exception {
        Path bad = Files.writeString(dir.resolve("domains.json"), "[{\"domain\": \"x.example\",]\n");
        oneLine(Cli.run("serve", "--domains", bad.toString(), "--local-only"), 2,
                "mta-sts: " + bad + ": not valid JSON at line 1, column 25 (a JSON array of rows is expected");
    }

    @Test
    void missingCredentialsAreOneLineNotTheProviderChain() {
        assertEquals("mta-sts: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                + "run aws configure (the local stack needs none: --endpoint-url http://127.0.0.1:8000)",
                "mta-sts: " + Main.oneLine(software.amazon.awssdk.core.exception.SdkClientException.create(
                        "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(...)")));
    }
}
