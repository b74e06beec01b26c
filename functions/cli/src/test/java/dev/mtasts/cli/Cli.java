package dev.mtasts.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the {@code mta-sts} command in this JVM and captures what it prints. */
record Cli(int exit, String out, String err) {

    static Cli run(String... args) {
        return runWithInput(null, args);
    }

    static synchronized Cli runWithInput(String stdin, String... args) {
        CommandLine cl = Main.commandLine(args); // as main() builds it: only the command the line names
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        InputStream saved = System.in;
        try {
            if (stdin != null) {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            }
            int exit = cl.execute(args);
            return new Cli(exit, out.toString(), err.toString());
        } finally {
            System.setIn(saved);
        }
    }
}
