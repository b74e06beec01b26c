package dev.mtasts.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The systemd unit users install: a JVM takes its options (one it did not know would stop the resolver from
 * starting), {@code systemctl reload} checks the file the resolver reads before signalling it, and the class-data
 * archive it names is the one the install step makes.
 */
class SystemdUnitTest {
    static final Path UNIT = Path.of("../../infra/systemd/mta-sts-resolver.service");

    /** The unit's lines with their continuations joined. */
    static List<String> lines() throws Exception {
        return Files.readString(UNIT).replace("\\\n", " ").lines().map(String::strip).toList();
    }

    static List<String> command(String line) {
        return Arrays.asList(line.substring(line.indexOf('=') + 1).strip().split("\\s+"));
    }

    /** The JVM options of a {@code java … -jar} command, but the archive, which only the install step makes. */
    static List<String> jvmOptions(List<String> command) {
        return command.subList(1, command.indexOf("-jar")).stream()
                .filter(o -> !o.startsWith("-XX:SharedArchiveFile=")).toList();
    }

    @Test
    void thisJvmTakesEveryOption() throws Exception {
        List<List<String>> javas = new ArrayList<>();
        for (String line : lines()) {
            if ((line.startsWith("ExecStart=") || line.startsWith("ExecReload=")) && command(line).get(0).endsWith("/java")) {
                javas.add(command(line));
            }
        }
        assertEquals(2, javas.size(), "ExecStart and the check of ExecReload");
        for (List<String> unitJava : javas) {
            List<String> run = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            run.addAll(jvmOptions(unitJava));
            run.add("-version");
            Process p = new ProcessBuilder(run).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), run + "\n" + out);
            assertTrue(!out.toLowerCase(Locale.ROOT).contains("warning"), out);
        }
    }

    /**
     * What {@code systemctl reload} runs first, on the example configuration the unit reads: its output is the check's
     * own lines and nothing else (no SLF4J lines from dnsjava, which would land in the journal at every start).
     */
    @Test
    void theCheckOfReloadSaysOnlyWhatItChecks() throws Exception {
        List<String> check = lines().stream().filter(l -> l.startsWith("ExecReload=")).map(SystemdUnitTest::command)
                .filter(c -> c.get(0).endsWith("/java")).findFirst().orElseThrow();
        List<String> run = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        run.addAll(jvmOptions(check));
        run.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.mtasts.resolver.Main", "--check-config",
                "--config", "../../infra/systemd/mta-sts-resolver.yml", "--dns-server", "127.0.0.1:53"));
        Process p = new ProcessBuilder(run).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("../../infra/systemd/mta-sts-resolver.yml: the resolver would start with it\n"), out);
        assertTrue(out.lines().skip(1).allMatch(l -> l.startsWith("  ")), out);
        assertTrue(!out.contains("SLF4J"), out);
    }

    @Test
    void reloadChecksTheFileTheResolverReadsThenSignalsIt() throws Exception {
        List<String> start = null;
        List<List<String>> reload = new ArrayList<>();
        for (String line : lines()) {
            if (line.startsWith("ExecStart=")) {
                start = command(line);
            } else if (line.startsWith("ExecReload=")) {
                reload.add(command(line));
            }
        }
        assertEquals(2, reload.size());
        List<String> check = reload.get(0);
        List<String> startArgs = start.subList(start.indexOf("-jar"), start.size());
        List<String> checkArgs = new ArrayList<>(check.subList(check.indexOf("-jar"), check.size()));
        assertTrue(checkArgs.remove("--check-config"), check.toString());
        assertEquals(startArgs, checkArgs, "the same jar and configuration file");
        assertEquals(List.of("/bin/kill", "-HUP", "$MAINPID"), reload.get(1));
        String archive = start.stream().filter(o -> o.startsWith("-XX:SharedArchiveFile=")).findFirst().orElseThrow();
        String path = archive.substring(archive.indexOf('=') + 1);
        assertTrue(check.contains(archive), "the check starts from the same archive");
        assertTrue(Files.readString(UNIT).contains("-XX:ArchiveClassesAtExit=" + path), "the install step makes it");
    }
}
