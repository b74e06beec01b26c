package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code mta-sts policy lint}: what a mail admin sees for a hand-written policy, and the exit code. */
class PolicyLintTest {
    static final String VALID = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n";
    static final String TWO_ERRORS = "version: STSv1\nmode: Enforce\nmx: mail.example.com\nmax_age: week\n";

    @TempDir
    Path dir;

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of("valid", VALID, 0, """
                        mta-sts.txt: valid MTA-STS policy
                          mode     enforce
                          mx       mail.example.com, *.example.net
                          max_age  604800 (7 days)
                          id       %s
                        """.formatted(idOf(VALID))),
                Arguments.of("every error with its line", TWO_ERRORS, 1, """
                        mta-sts.txt:2: mode must be one of testing, enforce, none (got "Enforce")
                        mta-sts.txt:4: max_age must be a whole number of seconds, 0 to 31557600, at most 10 digits (got "week")
                        2 problems; not a valid policy
                        """),
                Arguments.of("missing field has no line", "version: STSv1\nmode: none\n", 1, """
                        mta-sts.txt: missing required field "max_age:"
                        1 problem; not a valid policy
                        """),
                // RFC 8461 §3.3: strict senders read at most 64 KiB, so a larger body is an error, not advice
                Arguments.of("above 64 KiB", "version: STSv1\nmode: none\nmax_age: 86400\nx-pad: " + "a".repeat(65536) + "\n", 1, """
                        mta-sts.txt: the policy is 65585 bytes; senders refuse bodies over 65536 bytes (64 KiB)
                        1 problem; not a valid policy
                        """),
                Arguments.of("a misspelt required field", "version: STSv1\nmdoe: enforce\nmx: mail.example.com\nmax_age: 86400\n", 1, """
                        mta-sts.txt: missing required field "mode:" (line 2 has "mdoe:", which may be a typo of "mode:")
                        1 problem; not a valid policy
                        """),
                Arguments.of("a misspelt field beside the real one", VALID + "mdoe: testing\n", 0, """
                        mta-sts.txt: valid MTA-STS policy
                          mode     enforce
                          mx       mail.example.com, *.example.net
                          max_age  604800 (7 days)
                          mdoe     testing (extension)
                          id       %s
                        mta-sts.txt:6: warning: unknown field "mdoe:" may be a typo of "mode:"; senders ignore it
                        """.formatted(idOf(VALID))),
                Arguments.of("a repeated field", VALID + "mode: none\n", 0, """
                        mta-sts.txt: valid MTA-STS policy
                          mode     enforce
                          mx       mail.example.com, *.example.net
                          max_age  604800 (7 days)
                          id       %s
                        mta-sts.txt:6: warning: "mode:" repeats line 2; senders use the first and ignore this one
                        """.formatted(idOf(VALID))),
                Arguments.of("a repeated field that is not even an extension", VALID + "mode:\nmode: none\n", 1, """
                        mta-sts.txt:6: "mode:" has no value (a repeated field is ignored, but must still be well-formed)
                        mta-sts.txt:7: warning: "mode:" repeats line 2; senders use the first and ignore this one
                        1 problem; not a valid policy
                        """),
                Arguments.of("an mx pattern in U-labels", "version: STSv1\nmode: testing\nmx: *.Müller.example\nmax_age: 86400\n", 1, """
                        mta-sts.txt:3: "*.Müller.example" is not a valid mx pattern: "Müller" is not an A-label (write internationalised labels in their xn-- form)
                        mta-sts.txt:3: hint: in A-labels (IDNA2008) that is "mx: *.xn--mller-kva.example"
                        1 problem; not a valid policy
                        """),
                Arguments.of("an mx pattern shaped like an IP address", "version: STSv1\nmode: testing\nmx: 192.0.2.1\nmax_age: 86400\n", 1, """
                        mta-sts.txt:3: "192.0.2.1" is not a valid mx pattern: the last label "1" is all digits, the form of an IP address, not of a host name (RFC 1123 §2.1)
                        1 problem; not a valid policy
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verdicts")
    void lint(String name, String policy, int exit, String output) throws IOException {
        Path file = dir.resolve("mta-sts.txt");
        Files.writeString(file, policy);
        Cli r = Cli.run("policy", "lint", file.toString());
        assertEquals(exit, r.exit());
        assertEquals(output, r.out().replace(file.toString(), "mta-sts.txt").replace(System.lineSeparator(), "\n"));
    }

    @Test
    void jsonWhenValid() {
        Cli r = Cli.runWithInput(VALID, "policy", "lint", "-", "--json");
        assertEquals(0, r.exit());
        assertEquals("{\"valid\":true,\"mode\":\"enforce\",\"mx\":[\"mail.example.com\",\"*.example.net\"],"
                + "\"max_age\":604800,\"id\":\"" + idOf(VALID) + "\"}", r.out().strip());
    }

    @Test
    void jsonWithWarnings() {
        Cli r = Cli.runWithInput(VALID + "max_age: 1\n", "policy", "lint", "-", "--json");
        assertEquals(0, r.exit());
        assertEquals("{\"valid\":true,\"mode\":\"enforce\",\"mx\":[\"mail.example.com\",\"*.example.net\"],"
                + "\"max_age\":604800,\"id\":\"" + idOf(VALID) + "\",\"warnings\":[{\"line\":6,\"message\":"
                + "\"\\\"max_age:\\\" repeats line 5; senders use the first and ignore this one\"}]}", r.out().strip());
    }

    @Test
    void jsonWhenInvalid() {
        Cli r = Cli.runWithInput(TWO_ERRORS.replace("max_age: week\n", ""), "policy", "lint", "-", "--json");
        assertEquals(1, r.exit());
        assertEquals("{\"valid\":false,\"errors\":["
                + "{\"line\":2,\"message\":\"mode must be one of testing, enforce, none (got \\\"Enforce\\\")\"},"
                + "{\"line\":null,\"message\":\"missing required field \\\"max_age:\\\"\"}]}", r.out().strip());
    }

    @Test
    void aMissingFileIsAnIoError() {
        Cli r = Cli.run("policy", "lint", dir.resolve("nope.txt").toString());
        assertEquals(2, r.exit());
        assertEquals("mta-sts: " + dir.resolve("nope.txt") + ": no such file", r.err().strip());
    }

    @Test
    void bytesThatAreNotUtf8AreInvalidInput() throws IOException {
        Path file = dir.resolve("latin1.txt");
        Files.write(file, new byte[] {'v', 'e', 'r', (byte) 0xe9, '\n'});
        Cli r = Cli.run("policy", "lint", file.toString());
        assertEquals(1, r.exit());
        assertEquals(file + ": the file is not UTF-8 text", r.out().lines().findFirst().orElseThrow());
    }

    private static String idOf(String policy) {
        try {
            return dev.mtasts.core.Policy.parse(policy).id();
        } catch (dev.mtasts.core.InvalidException e) {
            throw new AssertionError(e);
        }
    }
}
