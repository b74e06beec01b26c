package dev.mtasts.core;

import java.util.Locale;

/**
 * A mail domain in its normalised form: lower-case A-labels, no trailing dot. Every domain that enters the system
 * (row keys, request hosts, CLI arguments) goes through {@link #parse}, so two spellings of one domain are one row.
 *
 * <p>Only A-labels ({@code xn--…}) enter here: DNS, API Gateway and DynamoDB rows carry them, and converting a
 * U-label right takes IDNA2008 tables (ICU4J) that would weigh on every function's cold start. Names typed in
 * Unicode are converted by the command-line tool before they reach this class.
 */
public record DomainName(String value) {

    private static final int MAX_LENGTH = 253;

    public DomainName {
        if (!isNormalised(value)) {
            throw new IllegalArgumentException("not a normalised domain name: " + value);
        }
    }

    /**
     * Accepts upper case, one trailing dot and surrounding white space; rejects anything that is not a host name in
     * A-labels, U-labels included (see the class comment).
     */
    public static DomainName parse(String input) throws InvalidException {
        if (input == null || input.isBlank()) {
            throw new InvalidException("domain name is empty");
        }
        String s = input.strip();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        String ascii = s.toLowerCase(Locale.ROOT);
        String reason = hostNameProblem(ascii);
        if (reason == null && !ascii.contains(".")) {
            reason = "a mail domain has at least two labels";
        }
        if (reason != null) {
            throw new InvalidException("\"" + input + "\" is not a valid domain name: " + reason);
        }
        return new DomainName(ascii);
    }

    /**
     * The mail domain whose policy host this is (RFC 8461 §3.3: {@code mta-sts.<domain>}), from a Host header or
     * API Gateway domain name: case and port ignored; an IP literal or any other host is none.
     */
    public static java.util.Optional<DomainName> ofPolicyHost(String host) {
        if (host == null) {
            return java.util.Optional.empty();
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (h.startsWith("[") || !h.startsWith(POLICY_HOST_PREFIX)) {
            return java.util.Optional.empty();
        }
        h = colon >= 0 ? h.substring(0, colon) : h;
        try {
            return java.util.Optional.of(parse(h.substring(POLICY_HOST_PREFIX.length())));
        } catch (InvalidException e) {
            return java.util.Optional.empty();
        }
    }

    static final String POLICY_HOST_PREFIX = "mta-sts.";

    /** The host that serves this domain's policy (RFC 8461 §3.3). */
    public String policyHost() {
        return POLICY_HOST_PREFIX + value;
    }

    /** The name of the {@code _mta-sts} TXT record (RFC 8461 §3.1). */
    public String stsRecordName() {
        return "_mta-sts." + value;
    }

    /** The name of the {@code _smtp._tls} TXT record (RFC 8460 §3). */
    public String tlsRptRecordName() {
        return "_smtp._tls." + value;
    }

    @Override
    public String toString() {
        return value;
    }

    private static boolean isNormalised(String s) {
        return s != null && s.equals(s.toLowerCase(Locale.ROOT)) && s.contains(".") && hostNameProblem(s) == null;
    }

    /**
     * Checks an A-label host name against RFC 5321 {@code Domain} (letters, digits, hyphens; labels of 1 to 63
     * characters that neither start nor end with a hyphen), whose last label is not all digits (RFC 1123 §2.1: that
     * is the form of an IP address, which is no host name). Returns the reason it fails, or null.
     */
    static String hostNameProblem(String name) {
        if (name.isEmpty()) {
            return "empty";
        }
        if (name.startsWith("[")) {
            return "an address literal is not a host name";
        }
        if (name.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        // label by label without splitting: every domain a report names comes through here, some twice
        int start = 0;
        int top = 0;
        while (true) {
            int end = name.indexOf('.', start);
            if (end < 0) {
                end = name.length();
            }
            int length = end - start;
            if (length == 0) {
                return "empty label";
            }
            if (length > 63) {
                return "label \"" + name.substring(start, end) + "\" is longer than 63 characters";
            }
            for (int i = start; i < end; i++) {
                char c = name.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                if (!ok) {
                    String label = name.substring(start, end);
                    return c > 0x7f
                            ? "\"" + label + "\" is not an A-label (write internationalised labels in their xn-- form)"
                            : "character '" + c + "' is not allowed in a host name";
                }
            }
            if (name.charAt(start) == '-' || name.charAt(end - 1) == '-') {
                return "label \"" + name.substring(start, end) + "\" starts or ends with a hyphen";
            }
            if (end == name.length()) {
                top = start;
                break;
            }
            start = end + 1;
        }
        boolean digits = true;
        for (int i = top; i < name.length() && digits; i++) {
            digits = name.charAt(i) >= '0' && name.charAt(i) <= '9';
        }
        if (digits) {
            return "the last label \"" + name.substring(top) + "\" is all digits, the form of an IP address, not of a host name"
                    + " (RFC 1123 §2.1)";
        }
        return null;
    }
}
