package dev.mtasts.resolver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether the Postfix on this host looks DNSSEC up ({@code smtp_dns_support_level = dnssec}), as its own
 * {@code postconf} reads its {@code main.cf}. A {@code dane-only} answer works only then: with any other level Postfix
 * warns "dane-only configured with dnssec lookups disabled", finds the policy invalid and defers the mail. So DANE is
 * answered only where Postfix can act on it; when {@code postconf} cannot tell (no Postfix here, no main.cf), the zones'
 * {@code dane} key decides alone.
 *
 * @param level the value of {@code smtp_dns_support_level} (empty: Postfix's default, no DNSSEC); null when unknown
 * @param why for the log: where the level was read, or why it could not be
 */
record PostfixDns(String level, String why) {
    static final Path DEFAULT_CONFIG = Path.of("/etc/postfix");
    private static final Path POSTCONF = Path.of("/usr/sbin/postconf");

    boolean known() {
        return level != null;
    }

    boolean dnssec() {
        return "dnssec".equals(level);
    }

    /** {@code postconf -c DIR -h smtp_dns_support_level}, waited for at most 5 s. */
    static PostfixDns read(Path configDir) {
        Path mainCf = configDir.resolve("main.cf");
        if (!Files.isRegularFile(mainCf)) {
            return new PostfixDns(null, "no " + mainCf);
        }
        String postconf = Files.isExecutable(POSTCONF) ? POSTCONF.toString() : "postconf";
        Process p;
        try {
            p = new ProcessBuilder(postconf, "-c", configDir.toString(), "-x", "-h", "smtp_dns_support_level").start();
        } catch (IOException e) {
            return new PostfixDns(null, "no postconf to read " + mainCf + " with");
        }
        try {
            p.getOutputStream().close();
            // its warnings (a configuration directory without master.cf has one) are not the answer
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            String err = new String(p.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new PostfixDns(null, "postconf did not answer within 5 s");
            }
            if (p.exitValue() != 0 || out.contains("\n")) {
                return new PostfixDns(null, "postconf could not read " + mainCf + ": "
                        + err.lines().filter(l -> l.contains("fatal")).findFirst().orElse(err));
            }
            return new PostfixDns(out, mainCf + (out.isEmpty() ? ": smtp_dns_support_level not set (no DNSSEC)"
                    : ": smtp_dns_support_level = " + out));
        } catch (IOException e) {
            p.destroyForcibly();
            return new PostfixDns(null, "postconf could not read " + mainCf + ": " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new PostfixDns(null, "interrupted");
        }
    }
}
