package dev.mtasts.resolver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whether the Postfix on this host can act on a {@code dane-only} answer, as its own {@code postconf} reads its
 * {@code main.cf}. Postfix finds the policy invalid and defers the mail unless it looks DNSSEC up
 * ({@code smtp_dns_support_level = dnssec}: else it warns "dane-only configured with dnssec lookups disabled"), looks
 * hosts up in DNS ({@code smtp_host_lookup} with {@code dns}), uses no resolver option that appends search domains
 * ({@code res_defnames}, {@code res_dnsrch} in {@code smtp_dns_resolver_options}) and does not ignore MX lookup
 * errors ({@code ignore_mx_lookup_error = no}). So DANE is answered only where Postfix can act on it; when
 * {@code postconf} cannot tell (no Postfix here, no main.cf), the zones' {@code dane} key decides alone. (Settings
 * given to the smtp service with {@code -o} in master.cf are not read.)
 *
 * @param level the value of {@code smtp_dns_support_level} (empty: Postfix's default, no DNSSEC); null when unknown
 * @param why for the log: where the level was read, or why it could not be
 * @param problem another setting with which Postfix would find dane-only invalid, null when none
 */
record PostfixDns(String level, String why, String problem) {
    static final Path DEFAULT_CONFIG = Path.of("/etc/postfix");
    private static final Path POSTCONF = Path.of("/usr/sbin/postconf");

    boolean known() {
        return level != null;
    }

    boolean dnssec() {
        return "dnssec".equals(level);
    }

    static final List<String> PARAMETERS = List.of("smtp_dns_support_level", "smtp_host_lookup",
            "smtp_dns_resolver_options", "ignore_mx_lookup_error");

    /** {@code postconf -c DIR -x} of the {@link #PARAMETERS}, waited for at most 5 s. */
    static PostfixDns read(Path configDir) {
        Path mainCf = configDir.resolve("main.cf");
        if (!Files.isRegularFile(mainCf)) {
            return new PostfixDns(null, "no " + mainCf, null);
        }
        String postconf = Files.isExecutable(POSTCONF) ? POSTCONF.toString() : "postconf";
        Process p;
        try {
            List<String> command = new ArrayList<>(List.of(postconf, "-c", configDir.toString(), "-x"));
            command.addAll(PARAMETERS);
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            return new PostfixDns(null, "no postconf to read " + mainCf + " with", null);
        }
        try {
            p.getOutputStream().close();
            // a few lines, well within a pipe's buffer: waited for first, so that a postconf that hangs cannot hold us
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new PostfixDns(null, "postconf did not answer within 5 s", null);
            }
            // its warnings (a configuration directory without master.cf has one) are not the answer
            String out = new String(p.getInputStream().readNBytes(8192), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            Map<String, String> values = new HashMap<>();
            for (String line : out.lines().toList()) {
                int eq = line.indexOf(" = ");
                if (eq > 0) {
                    values.put(line.substring(0, eq).strip(), line.substring(eq + 3).strip());
                } else if (line.endsWith(" =")) {
                    values.put(line.substring(0, line.length() - 2).strip(), "");
                }
            }
            if (p.exitValue() != 0 || !values.keySet().containsAll(PARAMETERS)) {
                return new PostfixDns(null, "postconf could not read " + mainCf + ": "
                        + err.lines().filter(l -> l.contains("fatal")).findFirst().orElse(err), null);
            }
            String level = values.get("smtp_dns_support_level");
            return new PostfixDns(level, mainCf + (level.isEmpty() ? ": smtp_dns_support_level not set (no DNSSEC)"
                    : ": smtp_dns_support_level = " + level), problem(mainCf, values));
        } catch (IOException e) {
            p.destroyForcibly();
            return new PostfixDns(null, "postconf could not read " + mainCf + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new PostfixDns(null, "interrupted", null);
        }
    }

    /** The first setting besides the DNSSEC level with which Postfix finds dane-only invalid, in the order it checks. */
    private static String problem(Path mainCf, Map<String, String> values) {
        String lookup = values.get("smtp_host_lookup");
        if (!List.of(lookup.split("[\\s,]+")).contains("dns")) {
            return mainCf + ": smtp_host_lookup = " + lookup + ", without dns";
        }
        String options = values.get("smtp_dns_resolver_options");
        for (String unsafe : List.of("res_defnames", "res_dnsrch")) {
            if (List.of(options.split("[\\s,]+")).contains(unsafe)) {
                return mainCf + ": smtp_dns_resolver_options = " + options + ", with " + unsafe;
            }
        }
        if (values.get("ignore_mx_lookup_error").equals("yes")) {
            return mainCf + ": ignore_mx_lookup_error = yes";
        }
        return null;
    }
}
