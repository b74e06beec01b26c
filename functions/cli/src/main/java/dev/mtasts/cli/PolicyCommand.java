package dev.mtasts.cli;

import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Policy;
import dev.mtasts.core.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Work with MTA-STS policy files (/.well-known/mta-sts.txt).",
        subcommands = PolicyCommand.Lint.class)
final class PolicyCommand {

    @Command(name = "lint", mixinStandardHelpOptions = true,
            description = {"Check a policy file against the RFC 8461 §3.2 grammar and the 64 KiB senders read.",
                "Prints a normalised summary and exits 0 when valid; prints every problem with its line and exits 1 "
                        + "when not. Warns, valid or not, about lines senders ignore: repeated fields and "
                        + "misspelt field names."})
    static final class Lint implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The policy file, or - for standard input.")
        String file;

        @Option(names = "--json", description = "Print the result as one JSON object.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String text;
            try {
                text = read(file);
            } catch (NoSuchFileException e) {
                spec.commandLine().getErr().println("mta-sts: " + file + ": no such file");
                return Main.ERROR;
            } catch (IOException e) {
                spec.commandLine().getErr().println("mta-sts: " + file + ": " + e.getMessage());
                return Main.ERROR;
            }
            String name = file.equals("-") ? "<stdin>" : file;
            List<Problem> problems;
            Policy policy = null;
            try {
                policy = text == null ? null : Policy.parse(text);
                problems = text == null ? List.of(Problem.whole("the file is not UTF-8 text")) : List.of();
            } catch (InvalidException e) {
                problems = e.problems();
            }
            List<Problem> warnings = text == null ? List.of() : Policy.warnings(text);
            List<Problem> hints = policy != null || text == null ? List.of() : aLabelHints(text);
            if (json) {
                Map<String, Object> result = policy != null ? validJson(policy) : invalidJson(problems);
                if (!warnings.isEmpty()) {
                    result.put("warnings", lines(warnings));
                }
                if (!hints.isEmpty()) {
                    result.put("hints", lines(hints));
                }
                out.println(Json.write(result));
            } else if (policy != null) {
                out.println(name + ": valid MTA-STS policy");
                out.printf("  mode     %s%n", policy.mode());
                out.printf("  mx       %s%n", policy.mx().isEmpty() ? "(none)"
                        : String.join(", ", policy.mx().stream().map(Object::toString).toList()));
                out.printf("  max_age  %d (%s)%n", policy.maxAge(), Durations.describe(policy.maxAge()));
                policy.extensions().forEach((k, v) -> out.printf("  %-8s %s (extension)%n", k, v));
                out.printf("  id       %s%n", policy.id());
                warnings.forEach(w -> out.println(where(name, w) + "warning: " + w.message()));
            } else {
                for (Problem p : problems) {
                    out.println(where(name, p) + p.message());
                }
                hints.forEach(h -> out.println(where(name, h) + "hint: " + h.message()));
                warnings.forEach(w -> out.println(where(name, w) + "warning: " + w.message()));
                out.println(problems.size() + (problems.size() == 1 ? " problem" : " problems") + "; not a valid policy");
            }
            out.flush();
            return policy != null ? Main.OK : Main.INVALID;
        }

        private static Map<String, Object> validJson(Policy policy) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("valid", true);
            m.put("mode", policy.mode().text());
            m.put("mx", policy.mx().stream().map(Object::toString).toList());
            m.put("max_age", policy.maxAge());
            m.put("id", policy.id());
            if (!policy.extensions().isEmpty()) {
                m.put("extensions", policy.extensions());
            }
            return m;
        }

        private static Map<String, Object> invalidJson(List<Problem> problems) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("valid", false);
            m.put("errors", lines(problems));
            return m;
        }

        /** {@code [{"line": n or null, "message": …}]}. */
        private static List<Object> lines(List<Problem> problems) {
            List<Object> out = new ArrayList<>();
            for (Problem p : problems) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("line", p.line() > 0 ? (Object) (long) p.line() : null);
                e.put("message", p.message());
                out.add(e);
            }
            return out;
        }

        private static String where(String file, Problem p) {
            return file + (p.line() > 0 ? ":" + p.line() : "") + ": ";
        }

        /**
         * mx patterns must be A-labels (§3.2): for each one written in U-labels, the A-label form IDNA2008 gives, so
         * the fix can be pasted.
         */
        static List<Problem> aLabelHints(String text) {
            List<Problem> hints = new ArrayList<>();
            String[] lines = text.split("\n", -1); // numbered as Policy.parse numbers them
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
                if (!line.startsWith("mx:") || line.chars().allMatch(c -> c < 0x80)) {
                    continue;
                }
                String pattern = line.substring(3).strip();
                boolean wildcard = pattern.startsWith("*.");
                try {
                    String ascii = Idna.toAscii(wildcard ? pattern.substring(2) : pattern);
                    hints.add(Problem.at(i + 1, "in A-labels (IDNA2008) that is \"mx: " + (wildcard ? "*." : "")
                            + ascii.toLowerCase(java.util.Locale.ROOT) + "\""));
                } catch (InvalidException e) {
                    // not convertible either: the problem reported for the line stands on its own
                }
            }
            return hints;
        }

        /** The file's text, or null when it is not valid UTF-8. */
        private static String read(String file) throws IOException {
            byte[] bytes;
            if (file.equals("-")) {
                try (InputStream in = System.in) {
                    bytes = in.readAllBytes();
                }
            } else {
                bytes = Files.readAllBytes(Path.of(file));
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
    }
}
