package dev.mtasts.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code postmap} (package postfix) asking a socketmap table, as Postfix's SMTP client does: no mail system
 * needs to run, only a {@code main.cf} for it to read (an empty one). Missing, it fails the test that needs it: install it with
 * {@code apt-get install postfix} (.ci/run does).
 */
record Postmap(int exit, String out, String err) {
    static final Path POSTMAP = Path.of("/usr/sbin/postmap");

    /** {@code postmap -c DIR -q KEY socketmap:inet:127.0.0.1:PORT:NAME}. */
    static Postmap query(Path configDir, int port, String name, String key) {
        return query(configDir, table(port, name), key);
    }

    static Postmap query(Path configDir, String table, String key) {
        return run(configDir, null, "-q", key, table);
    }

    /** {@code postmap -q - …}: one key a line on standard input, all asked over one connection. */
    static Postmap queryAll(Path configDir, int port, String name, List<String> keys) {
        return run(configDir, String.join("\n", keys) + "\n", "-q", "-", table(port, name));
    }

    static String table(int port, String name) {
        return "socketmap:inet:127.0.0.1:" + port + ":" + name;
    }

    /**
     * A directory with the main.cf postmap needs, made as docs/resolver.md says for a machine whose Postfix was
     * installed as "No configuration": an empty file (any Postfix version takes it).
     */
    static Path configDir(Path parent) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("postfix"));
        Files.writeString(dir.resolve("main.cf"), "");
        return dir;
    }

    private static Postmap run(Path configDir, String stdin, String... args) {
        if (!Files.isExecutable(POSTMAP)) {
            throw new AssertionError(POSTMAP + " is missing: apt-get install postfix (it needs no running mail system)");
        }
        String[] command = new String[args.length + 3];
        command[0] = POSTMAP.toString();
        command[1] = "-c";
        command[2] = configDir.toString();
        System.arraycopy(args, 0, command, 3, args.length);
        try {
            Process p = new ProcessBuilder(command).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            String err = read(p.getErrorStream());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("postmap did not finish within 60 s: " + String.join(" ", command));
            }
            return new Postmap(p.exitValue(), out.join(), err);
        } catch (IOException e) {
            throw new AssertionError("cannot run postmap: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
