package dev.mtasts.core;

import java.util.Locale;

/**
 * An {@code mx} pattern of a policy (RFC 8461 §3.2) and its matching rule (§4.1).
 *
 * <p>Stored in lower case so that the canonical policy, and with it the policy id, does not change when only the
 * case of a pattern does (host names compare case-insensitively).
 */
public record MxPattern(String value) {

    public MxPattern {
        if (problem(value) != null) {
            throw new IllegalArgumentException("invalid mx pattern: " + value);
        }
        value = value.toLowerCase(Locale.ROOT);
    }

    /** §3.2: {@code ["*."] Domain} in A-labels; {@code *} only as the whole left-most label. */
    public static MxPattern parse(String text) throws InvalidException {
        String reason = problem(text);
        if (reason != null) {
            throw new InvalidException(reason);
        }
        return new MxPattern(text);
    }

    public boolean isWildcard() {
        return value.startsWith("*.");
    }

    /**
     * §4.1: a pattern matches a host case-insensitively, ignoring a trailing dot on the host; {@code *.example.com}
     * matches exactly one more label. Hosts are compared in A-labels, as DNS gives them; a name in U-labels matches
     * nothing (the command-line tool converts names users type, see {@link DomainName}).
     */
    public boolean matches(String mxHost) {
        String host = normaliseHost(mxHost);
        if (host == null) {
            return false;
        }
        if (!isWildcard()) {
            return host.equals(value);
        }
        String suffix = value.substring(1); // ".example.com"
        if (!host.endsWith(suffix)) {
            return false;
        }
        String firstLabel = host.substring(0, host.length() - suffix.length());
        return !firstLabel.isEmpty() && firstLabel.indexOf('.') < 0;
    }

    @Override
    public String toString() {
        return value;
    }

    private static String normaliseHost(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT);
    }

    private static String problem(String text) {
        if (text == null || text.isEmpty()) {
            return "mx needs a host name pattern";
        }
        String host = text.startsWith("*.") ? text.substring(2) : text;
        if (host.indexOf('*') >= 0) {
            return "\"" + text + "\" is not a valid mx pattern: '*' is allowed only as the whole left-most label (\"*.example.com\")";
        }
        if (text.endsWith(".")) {
            return "\"" + text + "\" is not a valid mx pattern: no trailing dot";
        }
        String reason = DomainName.hostNameProblem(host);
        return reason == null ? null : "\"" + text + "\" is not a valid mx pattern: " + reason;
    }
}
