package dev.mtasts.pages;

/** Text into HTML: everything a sender wrote (organisations, hosts, result types) is escaped, always. */
final class Html {
    private Html() {
    }

    /** For element content and attribute values alike. */
    static String text(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(Character.isISOControl(c) ? '?' : c);
            }
        }
        return b.toString();
    }
}
