package dev.mtasts.cli;

import com.ibm.icu.text.IDNA;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Problem;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Domain names as users type them, in Unicode or in A-labels, converted to A-labels by IDNA2008 as UTS #46
 * non-transitional processing does (ICU4J): {@code faß.de} stays {@code xn--fa-hia.de}, not {@code fass.de}, a
 * final sigma stays itself, and a joiner where it means nothing is an error, not dropped. Only the command-line tool
 * needs this: DNS, API Gateway and the rows hold A-labels, so the functions (and core) never load these tables.
 */
final class Idna {
    private static final int OPTIONS = IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.USE_STD3_RULES | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.CHECK_CONTEXTO;

    /** UTS #46 §2.3: the full stop and the ideographic, fullwidth and halfwidth ones separate labels. */
    private static final String LABEL_SEPARATORS = "[.\u3002\uFF0E\uFF61]";

    private Idna() {
    }

    /** The mail domain a user typed: converted to A-labels, then normalised by core's rules. */
    static DomainName domain(String typed) throws InvalidException {
        return DomainName.parse(toAscii(typed));
    }

    /**
     * An mx pattern a user typed, read as a domain name is ({@link #domain}): a name with Unicode in it converted to
     * A-labels, one trailing dot dropped, a leading {@code *.} kept. Whether the result is a valid pattern is core's
     * to say, in its words (an ASCII name is left to it as it is).
     */
    static String mxPattern(String typed) throws InvalidException {
        String p = typed.strip();
        String wildcard = p.startsWith("*.") ? "*." : "";
        String name = p.substring(wildcard.length());
        if (!name.chars().allMatch(c -> c < 0x80)) {
            name = toAscii(name);
        }
        return wildcard + (name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
    }

    /**
     * {@code name} in A-labels. A label of letters, digits and hyphens is left as it is to core's host-name rules
     * (IDNA2008 does not change it, and a name of such labels never loads the tables); every other label, {@code
     * xn--} ones included, is converted or checked on its own, so that an error names its label.
     */
    static String toAscii(String name) throws InvalidException {
        if (name == null) {
            return null;
        }
        String[] labels = name.strip().split(LABEL_SEPARATORS, -1);
        if (java.util.Arrays.stream(labels).allMatch(Idna::plain)) {
            return String.join(".", labels);
        }
        List<Problem> problems = new ArrayList<>();
        List<String> out = new ArrayList<>();
        boolean converted = false;
        for (String label : labels) {
            if (plain(label)) {
                out.add(label);
                continue;
            }
            converted = true;
            StringBuilder ascii = new StringBuilder();
            IDNA.Info info = new IDNA.Info();
            uts46().labelToASCII(label, ascii, info);
            if (info.hasErrors()) {
                problems.add(Problem.whole("\"" + name + "\" is not a valid domain name: label \"" + label + "\" "
                        + reasons(label, info.getErrors())));
            } else {
                out.add(ascii.toString());
            }
        }
        if (problems.isEmpty() && converted) {
            // RFC 5893 §1.4: once one label is right-to-left, every label of the name must meet the Bidi rule
            IDNA.Info whole = new IDNA.Info();
            uts46().nameToASCII(String.join(".", out), new StringBuilder(), whole);
            if (whole.getErrors().contains(IDNA.Error.BIDI)) {
                problems.add(Problem.whole("\"" + name + "\" is not a valid domain name: with a right-to-left label in"
                        + " it, every label must meet the Bidi rule (RFC 5893), and one does not"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidException(problems);
        }
        return String.join(".", out);
    }

    /** One instance, built on first use, so a command that is only given ASCII names never loads ICU4J. */
    private static IDNA uts46() {
        return Holder.UTS46;
    }

    private static final class Holder {
        static final IDNA UTS46 = IDNA.getUTS46Instance(OPTIONS);
    }

    /** Letters, digits and hyphens, and not an A-label: nothing IDNA2008 would change or check. */
    private static boolean plain(String label) {
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return !label.regionMatches(true, 0, "xn--", 0, 4);
    }

    private static String reasons(String label, Set<IDNA.Error> errors) {
        Set<IDNA.Error> e = errors.isEmpty() ? EnumSet.noneOf(IDNA.Error.class) : EnumSet.copyOf(errors);
        List<String> out = new ArrayList<>();
        if (e.remove(IDNA.Error.DISALLOWED)) {
            out.add(disallowed(label));
        }
        for (IDNA.Error error : e) {
            out.add(reason(error));
        }
        return String.join("; ", out);
    }

    /** Names the first character IDNA2008 does not allow (UTS #46 status "disallowed", with STD3 rules). */
    private static String disallowed(String label) {
        int[] codePoints = label.codePoints().toArray();
        for (int cp : codePoints) {
            IDNA.Info info = new IDNA.Info();
            uts46().labelToASCII(new String(Character.toChars(cp)), new StringBuilder(), info);
            if (info.getErrors().contains(IDNA.Error.DISALLOWED)) {
                String charName = Character.getName(cp);
                return String.format("holds U+%04X%s, which is not allowed in domain names", cp,
                        charName == null ? "" : " " + charName);
            }
        }
        return "holds a character that is not allowed in domain names";
    }

    /** Each IDNA2008 / UTS #46 error in our words. */
    private static String reason(IDNA.Error error) {
        return switch (error) {
            case EMPTY_LABEL -> "is empty";
            case LABEL_TOO_LONG -> "is longer than 63 characters in A-labels";
            case DOMAIN_NAME_TOO_LONG -> "makes the name longer than 253 characters in A-labels";
            case LEADING_HYPHEN -> "starts with a hyphen";
            case TRAILING_HYPHEN -> "ends with a hyphen";
            case HYPHEN_3_4 -> "has \"--\" as its third and fourth characters, which only an A-label (xn--) may";
            case LEADING_COMBINING_MARK -> "starts with a combining mark";
            case PUNYCODE -> "starts with \"xn--\" but is not valid Punycode";
            case INVALID_ACE_LABEL -> "starts with \"xn--\" but does not decode to a valid IDNA2008 label";
            case LABEL_HAS_DOT -> "decodes to a label holding a dot";
            case BIDI -> "breaks the Bidi rule for right-to-left labels (RFC 5893)";
            case CONTEXTJ -> "has a zero-width joiner or non-joiner where IDNA2008 allows none (RFC 5892 Appendix A)";
            case CONTEXTO_PUNCTUATION -> "has a middle dot, Greek numeral sign, Hebrew geresh or gershayim, or Katakana"
                    + " middle dot where IDNA2008 allows none (RFC 5892 Appendix A)";
            case CONTEXTO_DIGITS -> "mixes Arabic-Indic and extended Arabic-Indic digits (RFC 5892 Appendix A)";
            default -> "is not valid IDNA2008 (" + error.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
        };
    }
}
