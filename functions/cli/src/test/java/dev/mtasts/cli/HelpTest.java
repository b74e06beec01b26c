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

    /**
     * Lines are broken at spaces only: a file name, a URL or a default is never split across two lines (picocli's
     * own wrapping broke ".mta-sts/reports" after its dot and "domains.json" after "domains.").
     */
    @ParameterizedTest(name = "mta-sts {0} --help")
    @MethodSource("commands")
    void helpBreaksLinesAtSpacesOnly(String command) {
        CommandLine cl = Main.commandLine();
        for (String name : command.isEmpty() ? new String[0] : command.split(" ")) {
            cl = cl.getSubcommands().get(name);
        }
        List<String> lines = Cli.run(Stream.concat(command.isEmpty() ? Stream.<String>empty()
                : Stream.of(command.split(" ")), Stream.of("--help")).toArray(String[]::new)).out().lines().toList();
        List<String> texts = new ArrayList<>(List.of(cl.getCommandSpec().usageMessage().description()));
        CommandLine.Model.UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
        int width = usage.width();
        usage.width(1000);
        texts.add(cl.getHelp().synopsis(0)); // the synopsis in one line
        usage.width(width);
        for (CommandLine.Model.ArgSpec arg : cl.getCommandSpec().args()) {
            for (String d : arg.description()) {
                texts.add(d.replace("${DEFAULT-VALUE}", String.valueOf(arg.defaultValue())));
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) { // a command's list shows each one's first line
            var listed = sub.getCommandSpec().usageMessage();
            texts.add(listed.header().length > 0 ? listed.header()[0] : listed.description()[0]);
        }
        for (String example : cl.getCommandSpec().usageMessage().footer()) { // laid out by hand: shown as it is
            assertTrue(lines.contains(example.stripTrailing()), "\"" + example + "\" is wrapped:\n" + String.join("\n", lines));
        }
        for (String text : texts) {
            String shown; // as picocli shows it: a format string (%n a line break), else as it is
            try {
                shown = String.format(text);
            } catch (java.util.IllegalFormatException notAFormat) {
                shown = text;
            }
            for (String word : shown.split("\\s+")) {
                assertTrue(word.isEmpty() || lines.stream().anyMatch(l -> l.contains(word)),
                        "\"" + word + "\" is split across lines:\n" + String.join("\n", lines));
            }
        }
    }

    @Test
    void everyCommandIsThere() {
        assertEquals(List.of("", "serve", "policy", "policy lint", "domain", "domain add", "domain put", "domain get",
                "domain list", "domain move-mx", "domain retire", "domain remove", "records", "report", "report parse", "report ingest",
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
