package dev.mtasts.core;

/**
 * RFC 3986 generic URI syntax (§3, collected in Appendix A), as a recogniser that names the first character or part
 * that breaks it. {@code java.net.URI} implements RFC 2396 instead (it takes non-ASCII "other" characters, and
 * rejects IPvFuture and some legal reg-names), and its messages are its own; this is the grammar itself.
 *
 * <p>A URI is split as Appendix B does, then each part is checked by its rule.
 */
final class UriSyntax {

    /** A URI in its parts; {@code authority} is null when there is none ("mailto:a@b" has none, "https://h" has). */
    record Parts(String scheme, String authority, String userinfo, String host, String port, String path,
                 String query, String fragment) {
    }

    private UriSyntax() {
    }

    /** The parts of an absolute URI ({@code URI = scheme ":" hier-part ["?" query] ["#" fragment]}). */
    static Parts parse(String uri) throws InvalidException {
        int colon = uri.indexOf(':');
        int firstDelimiter = firstOf(uri, 0, "/?#");
        if (colon < 0 || (firstDelimiter >= 0 && firstDelimiter < colon)) {
            throw new InvalidException("no scheme (a URI starts with a name such as \"https:\")");
        }
        String scheme = uri.substring(0, colon);
        checkScheme(scheme);
        int hash = uri.indexOf('#', colon + 1);
        String fragment = hash < 0 ? null : uri.substring(hash + 1);
        String beforeFragment = hash < 0 ? uri : uri.substring(0, hash);
        int question = beforeFragment.indexOf('?', colon + 1);
        String query = question < 0 ? null : beforeFragment.substring(question + 1);
        String hierPart = question < 0 ? beforeFragment.substring(colon + 1) : beforeFragment.substring(colon + 1, question);

        String authority = null;
        String userinfo = null;
        String host = null;
        String port = null;
        String path = hierPart;
        int offset = colon + 1;
        if (hierPart.startsWith("//")) {
            int end = firstOf(hierPart, 2, "/");
            end = end < 0 ? hierPart.length() : end;
            authority = hierPart.substring(2, end);
            path = hierPart.substring(end);
            int at = authority.lastIndexOf('@');
            String hostPort = authority;
            if (at >= 0) {
                userinfo = authority.substring(0, at);
                hostPort = authority.substring(at + 1);
                check(userinfo, offset + 2, "user information", ":");
            }
            int hostStart = offset + 2 + (at + 1);
            if (hostPort.startsWith("[")) {
                int close = hostPort.indexOf(']');
                if (close < 0) {
                    throw new InvalidException("'[' at position " + (hostStart + 1) + " opens an IP literal that no ']' closes");
                }
                host = hostPort.substring(0, close + 1);
                checkIpLiteral(host.substring(1, host.length() - 1));
                String rest = hostPort.substring(close + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) {
                    throw new InvalidException("'" + rest.charAt(0) + "' at position " + (hostStart + close + 2)
                            + " follows the IP literal; only \":port\" may");
                }
                port = rest.isEmpty() ? null : rest.substring(1);
            } else {
                int portColon = hostPort.lastIndexOf(':');
                host = portColon < 0 ? hostPort : hostPort.substring(0, portColon);
                port = portColon < 0 ? null : hostPort.substring(portColon + 1);
                check(host, hostStart, "host", "");
            }
            if (port != null) {
                for (int i = 0; i < port.length(); i++) {
                    if (!isDigit(port.charAt(i))) {
                        throw new InvalidException("the port \"" + port + "\" is not a number");
                    }
                }
            }
            offset += end;
        } else if (path.startsWith("//")) {
            throw new InvalidException("a path cannot start with \"//\"");
        }
        check(path, offset, "path", ":@/");
        if (query != null) {
            check(query, question + 1, "query", ":@/?");
        }
        if (fragment != null) {
            check(fragment, hash + 1, "fragment", ":@/?");
        }
        return new Parts(scheme, authority, userinfo, host, port, path, query, fragment);
    }

    /** {@code scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )}. */
    private static void checkScheme(String scheme) throws InvalidException {
        if (scheme.isEmpty() || !isAlpha(scheme.charAt(0))) {
            throw new InvalidException("the scheme \"" + scheme + "\" must start with a letter");
        }
        for (int i = 1; i < scheme.length(); i++) {
            char c = scheme.charAt(i);
            if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') {
                throw new InvalidException("'" + c + "' is not allowed in the scheme \"" + scheme + "\"");
            }
        }
    }

    /**
     * Every character of a part is unreserved, a sub-delim, one of {@code extra}, or a valid {@code %XX}
     * (userinfo adds ":", path segments ":@", query and fragment ":@/?"; a reg-name nothing).
     */
    private static void check(String part, int offset, String what, String extra) throws InvalidException {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                if (i + 2 >= part.length() || !isHex(part.charAt(i + 1)) || !isHex(part.charAt(i + 2))) {
                    String bad = part.substring(i, Math.min(part.length(), i + 3));
                    throw new InvalidException("\"" + bad + "\" at position " + (offset + i + 1)
                            + " is not a percent-encoding ('%' and two hex digits)");
                }
                i += 2;
            } else if (!isUnreserved(c) && !isSubDelim(c) && extra.indexOf(c) < 0) {
                throw new InvalidException(describe(c) + " at position " + (offset + i + 1) + " is not allowed in the "
                        + what + " of a URI; it must be %-encoded");
            }
        }
    }

    /** {@code IP-literal = "[" ( IPv6address / IPvFuture ) "]"}. */
    private static void checkIpLiteral(String inside) throws InvalidException {
        if (inside.length() > 1 && (inside.charAt(0) == 'v' || inside.charAt(0) == 'V')) {
            // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
            int dot = inside.indexOf('.');
            boolean ok = dot > 1 && dot < inside.length() - 1;
            for (int i = 1; ok && i < dot; i++) {
                ok = isHex(inside.charAt(i));
            }
            for (int i = dot + 1; ok && i < inside.length(); i++) {
                char c = inside.charAt(i);
                ok = isUnreserved(c) || isSubDelim(c) || c == ':';
            }
            if (!ok) {
                throw new InvalidException("\"[" + inside + "]\" is not an IP literal");
            }
        } else if (!isIpv6(inside)) {
            throw new InvalidException("\"[" + inside + "]\" is not an IPv6 address");
        }
    }

    /** RFC 3986 §3.2.2 IPv6address: eight 16-bit pieces, or fewer around one "::", the last two as an IPv4 tail. */
    static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap < 0) {
            return pieces(s, true) == 8;
        }
        if (s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int before = pieces(s.substring(0, gap), false);
        int after = pieces(s.substring(gap + 2), true);
        return before >= 0 && after >= 0 && before + after <= 7;
    }

    /** How many 16-bit pieces colon-separated groups hold (an IPv4 tail holds two), or -1 if one is malformed. */
    private static int pieces(String groups, boolean ipv4Tail) {
        if (groups.isEmpty()) {
            return 0;
        }
        String[] g = groups.split(":", -1);
        int n = 0;
        for (int i = 0; i < g.length; i++) {
            if (ipv4Tail && i == g.length - 1 && g[i].indexOf('.') >= 0) {
                if (!isIpv4(g[i])) {
                    return -1;
                }
                n += 2;
            } else if (g[i].isEmpty() || g[i].length() > 4 || !g[i].chars().allMatch(c -> isHex((char) c))) {
                return -1;
            } else {
                n++;
            }
        }
        return n;
    }

    /** {@code IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet}: 0 to 255, no leading zeros. */
    static boolean isIpv4(String s) {
        String[] octets = s.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(UriSyntax::isDigit)
                    || (o.length() > 1 && o.charAt(0) == '0') || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Decodes {@code %XX} in a part {@link #parse} has checked; the bytes must be UTF-8 (RFC 3986 §2.5). */
    static String percentDecode(String s) throws InvalidException {
        if (s.indexOf('%') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidException("\"" + s + "\" percent-encodes bytes that are not UTF-8");
        }
    }

    static String describe(char c) {
        if (c > 0x20 && c < 0x7f) {
            return "'" + c + "'";
        }
        String name = Character.getName(c);
        return String.format("U+%04X%s", (int) c, name == null ? "" : " " + name);
    }

    private static int firstOf(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** {@code unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"}. */
    static boolean isUnreserved(char c) {
        return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** {@code sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="}. */
    static boolean isSubDelim(char c) {
        return "!$&'()*+,;=".indexOf(c) >= 0;
    }
}
