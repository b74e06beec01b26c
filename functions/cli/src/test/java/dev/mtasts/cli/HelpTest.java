package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command answers --help, and usage mistakes exit 2 with a message. */
class HelpTest {
    static Stream<String> commands() {
        List<String> paths = new ArrayList<>();
        collect(Main.commandLine(), "", paths);
        return paths.stream();
    }

    private static void collect(CommandLine cl, String prefix, List<String> out) {
        out.add(prefix.strip());
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && name.equals(sub.getCommandName())) { // aliases are the same command
                collect(sub, prefix + " " + name, out);
            }
        });
    }

    @ParameterizedTest(name = "mta-sts {0} --help")
    @MethodSource("commands")
    void help(String command) {
        List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
        args.add("--help");
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("Usage: mta-sts" + (command.isEmpty() ? "" : " " + command)), r.out());
    }

    @Test
    void everyCommandIsThere() {
        assertEquals(List.of("", "serve", "policy", "policy lint", "domain", "domain add", "domain put", "domain get",
                "domain list", "domain retire", "domain remove", "records", "report", "report parse", "report ingest",
                "reports", "demo", "provision", "check", "resolver"), commands().toList());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Cli r = Cli.run("policy", "lint", "--frobnicate", "x");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("mta-sts: Unknown option: '--frobnicate'"), r.err());
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() {
        Cli r = Cli.run("domain", "put", "example.com", "--mx", "mail.example.com");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("mta-sts: Missing required option: '--mode=MODE'"), r.err());
    }

    /** A command line names one command and gets only that one; help and typos still see them all. */
    @Test
    void helpAndTyposSeeEveryCommand() {
        Cli help = Cli.run("help");
        assertEquals(0, help.exit());
        for (String command : List.of("serve", "policy", "domain", "records", "report", "reports", "provision", "check",
                "resolver")) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " missing from:\n" + help.out());
        }
        Cli helpReport = Cli.run("help", "report");
        assertEquals(0, helpReport.exit());
        assertTrue(helpReport.out().startsWith("Usage: mta-sts report"), helpReport.out());
        Cli typo = Cli.run("reprot", "parse", "x.json");
        assertEquals(2, typo.exit());
        assertEquals("mta-sts: unknown command \"reprot\" (did you mean \"report\"?)", typo.err().lines().findFirst().orElseThrow());
    }
}
