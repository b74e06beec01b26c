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
