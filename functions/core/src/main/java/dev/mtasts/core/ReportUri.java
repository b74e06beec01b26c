package dev.mtasts.core;

import java.util.Locale;

/**
 * A {@code rua} of the TLSRPT record (RFC 8460 §3): an {@code https:} URI (RFC 9110 §4.2.2) or a {@code mailto:}
 * URI (RFC 6068), in RFC 3986 syntax, in which ',', '!' and ';' are %-encoded. Senders deliver to it, so a URI
 * they could not use is refused with the reason, not published.
 */
final class ReportUri {

    private ReportUri() {
    }

    /** Why {@code uri} is not a usable rua, or null when it is. */
    static String problem(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("mailto:") && !lower.startsWith("https:")) {
            return "rua \"" + uri + "\" must be a mailto: or https: URI";
        }
        boolean mailto = lower.startsWith("mailto:");
        if (lower.length() == (mailto ? 7 : 6)) {
            return "rua \"" + uri + "\" has nothing after the scheme";
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            // RFC 8460 §3: these delimit fields and URIs of the record; the rest is what no URI may hold unencoded
            if (c == ',' || c == '!' || c == ';' || c <= 0x20 || c >= 0x7f) {
                return "rua \"" + uri + "\": " + UriSyntax.describe(c) + " must be %-encoded";
            }
        }
        try {
            UriSyntax.Parts parts = UriSyntax.parse(uri);
            if (mailto) {
                mailto(parts);
            } else {
                https(parts);
            }
            return null;
        } catch (InvalidException e) {
            return "rua \"" + uri + "\": " + e.getMessage();
        }
    }

    /**
     * RFC 9110 §4.2.2: {@code "https" "://" authority path-abempty ["?" query] ["#" fragment]} with a host; no user
     * information (§4.2.4); a port senders can connect to.
     */
    private static void https(UriSyntax.Parts p) throws InvalidException {
        if (p.authority() == null) {
            throw new InvalidException("an https URI has \"//\" and a host after \"https:\"");
        }
        if (p.userinfo() != null) {
            throw new InvalidException("an https URI must not carry user information before the host (RFC 9110 §4.2.4)");
        }
        String host = p.host();
        if (host.isEmpty()) {
            throw new InvalidException("the host is empty");
        }
        if (p.port() != null && !p.port().isEmpty()
                && new java.math.BigInteger(p.port()).compareTo(java.math.BigInteger.valueOf(65535)) > 0) {
            throw new InvalidException("port " + p.port() + " is above 65535");
        }
        if (host.startsWith("[") || UriSyntax.isIpv4(host)) {
            return;
        }
        String name = UriSyntax.percentDecode(host);
        String dns = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        String reason = DomainName.hostNameProblem(dns);
        if (reason != null) {
            throw new InvalidException("the host \"" + name + "\" is not a host name: " + reason);
        }
    }

    /**
     * RFC 6068 §2: {@code "mailto:" [to] [hfields]}, here with one address: {@code to} is an RFC 5322 addr-spec
     * whose '%', '/', '?', '#', '[', ']', '&', ';' and '=' are %-encoded; header fields are {@code *qchar}.
     */
    private static void mailto(UriSyntax.Parts p) throws InvalidException {
        if (p.authority() != null) {
            throw new InvalidException("'/' must be %-encoded in a mailto: address");
        }
        if (p.fragment() != null) {
            throw new InvalidException("a mailto: URI has no fragment; '#' must be %-encoded");
        }
        String to = p.path();
        if (to.isEmpty()) {
            throw new InvalidException("names no address: write mailto:local-part@domain");
        }
        for (int i = 0; i < to.length(); i++) {
            char c = to.charAt(i);
            if ("/&=".indexOf(c) >= 0) {
                throw new InvalidException("'" + c + "' must be %-encoded in a mailto: address");
            }
        }
        addrSpec(UriSyntax.percentDecode(to));
        if (p.query() != null) {
            for (String hfield : p.query().split("&", -1)) {
                int eq = hfield.indexOf('=');
                if (eq < 0 || hfield.indexOf('=', eq + 1) >= 0 || hfield.indexOf('/') >= 0 || hfield.indexOf('?') >= 0) {
                    throw new InvalidException("header field \"" + hfield + "\" is not hfname=hfvalue with '/', '?'"
                            + " and '=' %-encoded");
                }
            }
        }
    }

    /**
     * RFC 5322 §3.4.1 addr-spec without comments or folding white space: {@code local-part "@" domain}, the local
     * part a dot-atom or a quoted string (UTF-8 allowed, RFC 6532), the domain a host name in A-labels or an address
     * literal.
     */
    static void addrSpec(String address) throws InvalidException {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            throw new InvalidException("\"" + address + "\" has no '@': a mailto: rua names an address, local-part@domain");
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (local.isEmpty()) {
            throw new InvalidException("\"" + address + "\" has nothing before the '@'");
        }
        if (local.startsWith("\"")) {
            quotedString(local);
        } else if (!isDotAtom(local)) {
            throw new InvalidException("the local part \"" + local + "\" is not a dot-atom (letters, digits,"
                    + " !#$%&'*+-/=?^_`{|}~ and single dots between them) or a quoted string");
        }
        if (domain.isEmpty()) {
            throw new InvalidException("\"" + address + "\" has nothing after the '@'");
        }
        if (domain.startsWith("[")) {
            if (!domain.endsWith("]") || domain.length() == 2
                    || domain.substring(1, domain.length() - 1).chars().anyMatch(c -> c < 33 || c > 126 || c == '[' || c == ']' || c == '\\')) {
                throw new InvalidException("\"" + domain + "\" is not an address literal");
            }
            return;
        }
        String reason = DomainName.hostNameProblem(domain);
        if (reason != null) {
            throw new InvalidException("the domain \"" + domain + "\" is not a host name: " + reason);
        }
    }

    /** {@code dot-atom-text = 1*atext *("." 1*atext)}. */
    private static boolean isDotAtom(String s) {
        if (s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        return s.chars().allMatch(c -> c == '.' || isAtext(c));
    }

    /** RFC 5322 atext, with RFC 6532 UTF8-non-ascii. */
    private static boolean isAtext(int c) {
        return UriSyntax.isAlpha(c) || UriSyntax.isDigit(c) || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0 || c >= 0x80;
    }

    /** {@code DQUOTE *(qtext / quoted-pair) DQUOTE}: printable characters and spaces, '"' and '\' escaped. */
    private static void quotedString(String s) throws InvalidException {
        boolean closed = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (closed) {
                throw new InvalidException("the local part " + s + " has characters after its closing quote");
            }
            if (c == '\\') {
                if (i + 1 == s.length() || s.charAt(i + 1) < 0x20 && s.charAt(i + 1) != '\t' || s.charAt(i + 1) == 0x7f) {
                    throw new InvalidException("the local part " + s + " ends in a lone '\\'");
                }
                i++;
            } else if (c == '"') {
                closed = true;
            } else if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new InvalidException("the local part " + s + " holds a control character");
            }
        }
        if (!closed) {
            throw new InvalidException("the local part " + s + " has no closing quote");
        }
    }
}
