package dev.mtasts.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, in a profile of its own that is thrown away: what a browser makes of a page. Console
 * messages (script errors, blocked requests: anything the page's Content-Security-Policy refused) are what Chromium
 * logs as {@code CONSOLE}. The tests need it: {@code apt-get install chromium} ({@code .ci/run} does).
 */
public final class Chromium {
    private Chromium() {
    }

    /** What Chromium printed: the document as it parsed it (for --dump-dom), and its console messages. */
    public record Run(String out, List<String> console) {
    }

    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "chromium");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail("chromium is not on the PATH: the browser tests need Debian's chromium (apt-get install chromium;"
                + " .ci/run installs it)");
    }

    /** The document Chromium made of {@code url}, after loading it. */
    public static Run dumpDom(String url) throws IOException, InterruptedException {
        return run(List.of("--dump-dom", url));
    }

    /** A screenshot of {@code url} at a window size, as PNG. */
    public static Run screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        return run(List.of("--hide-scrollbars", "--screenshot=" + png, "--window-size=" + width + "," + height, url));
    }

    /** {@code url} printed to PDF, with the page's print style. */
    public static Run print(String url, Path pdf) throws IOException, InterruptedException {
        return run(List.of("--no-pdf-header-footer", "--print-to-pdf=" + pdf, url));
    }

    private static Run run(List<String> what) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Path err = Files.createTempFile("chromium", ".log");
        try {
            List<String> command = new ArrayList<>(List.of(binary(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
            command.addAll(what);
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("chromium did not finish in 120 s: " + command);
            }
            List<String> log = Files.readAllLines(err, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "chromium failed: " + String.join("\n", log));
            List<String> console = log.stream().filter(l -> l.contains(":CONSOLE")).toList();
            return new Run(new String(out, StandardCharsets.UTF_8), console);
        } finally {
            Files.deleteIfExists(err);
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Fails unless Chromium logged nothing on the console. */
    public static void assertQuiet(Run run) {
        assertTrue(run.console().isEmpty(), "console messages: " + run.console());
    }
}
