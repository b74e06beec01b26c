package dev.mtasts.core;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A row of the domains table: a mail domain and its policy. Only valid rows exist; {@link #parse} explains why an
 * item is not one.
 *
 * <p>Items arrive as plain Java values (String, BigDecimal for numbers, List, Map, Boolean, null) from DynamoDB or
 * from a JSON seed file, so both are checked by the same rules. Unknown attributes are ignored.
 */
public record DomainRow(DomainName domain, Policy policy) {

    public static final String DOMAIN = "domain";
    public static final String MODE = "mode";
    public static final String MX = "mx";
    public static final String MAX_AGE = "max_age";
    /** A user's wish: replace records of another host at the policy host's names ({@code domain add --take-over}). */
    public static final String TAKE_OVER = "take_over";
    /** A user's wish: remove everything the stack made for the domain, then the row ({@code domain remove}). */
    public static final String REMOVE_REQUESTED = "remove_requested";
    /**
     * A user's wish: move the policy's MX hosts ({@code domain move-mx}) without bouncing mail, a map (see
     * {@link MxMove.Wish}); cleared by the stack once the move is over.
     */
    public static final String MX_MOVE = "mx_move";
    /**
     * Where the domain's DNS is: {@code delegated} for DNS outside this account's Route53, reached by CNAMEs to the
     * stack's delegation zone ({@code domain add --delegated}, {@link Delegation}); absent (or {@code route53}) for a
     * domain in a public hosted zone of the account.
     */
    public static final String DNS = "dns";
    public static final String DELEGATED = "delegated";
    public static final String ROUTE53 = "route53";
    /** When a retired policy's predecessor has expired from every sender's cache ({@code domain retire}). */
    public static final String RETIRE_AFTER = "retire_after";

    /** Whether a row asks for its records behind CNAMEs to the stack's delegation zone ({@code dns: delegated}). */
    public static boolean delegated(Map<String, ?> item) {
        return DELEGATED.equals(item.get(DNS));
    }

    /** Whether an item holds no policy at all (only its domain): the lifecycle seeds it from the zone's MX hosts. */
    public static boolean unseeded(Map<String, ?> item) {
        return item.get(MODE) == null && item.get(MX) == null && item.get(MAX_AGE) == null;
    }

    /**
     * Why {@code key} is not a domain as rows are keyed (a domain name in lower case A-labels without a trailing dot,
     * the form hosts and DNS give it), or null. The stack never picks up a row keyed otherwise.
     */
    public static String keyProblem(String key) {
        try {
            DomainName domain = DomainName.parse(key);
            return domain.value().equals(key) ? null : "\"" + key + "\" must be written as \"" + domain + "\""
                    + " (lower case, A-labels, no trailing dot)";
        } catch (InvalidException e) {
            return e.getMessage();
        }
    }

    public static DomainRow parse(Map<String, ?> item) throws InvalidException {
        List<Problem> problems = new ArrayList<>();
        DomainName domain = null;
        Object d = item.get(DOMAIN);
        if (!(d instanceof String s)) {
            problems.add(Problem.whole(DOMAIN + ": " + expected("a string", d)));
        } else {
            String problem = keyProblem(s);
            if (problem != null) {
                problems.add(Problem.whole(DOMAIN + ": " + problem));
            } else {
                domain = DomainName.parse(s);
            }
        }
        String mode = null;
        Object m = item.get(MODE);
        if (m instanceof String s) {
            mode = s;
        } else if (m != null) {
            problems.add(Problem.whole(MODE + ": " + expected("a string", m)));
        }
        List<String> mx = new ArrayList<>();
        Object x = item.get(MX);
        if (x instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s) {
                    mx.add(s);
                } else {
                    problems.add(Problem.whole(MX + ": " + expected("a list of strings", x)));
                    break;
                }
            }
        } else if (x != null) {
            problems.add(Problem.whole(MX + ": " + expected("a list of strings", x)));
        }
        String maxAge = null;
        Object a = item.get(MAX_AGE);
        if (a instanceof BigDecimal n) {
            maxAge = n.signum() < 0 || n.stripTrailingZeros().scale() > 0 ? n.toPlainString() : n.toBigInteger().toString();
        } else if (a != null) {
            problems.add(Problem.whole(MAX_AGE + ": " + expected("a number", a)));
        }
        Object dns = item.get(DNS);
        if (dns != null && !DELEGATED.equals(dns) && !ROUTE53.equals(dns)) {
            problems.add(Problem.whole(DNS + ": expected \"" + DELEGATED + "\" or \"" + ROUTE53 + "\", got "
                    + (dns instanceof String s ? "\"" + s + "\"" : expected("a string", dns).substring("expected a string, got ".length()))));
        }
        Policy policy = null;
        boolean policyTypesOk = (m == null || m instanceof String) && (x == null || x instanceof List)
                && (a == null || a instanceof BigDecimal) && problems.stream().noneMatch(p -> p.message().startsWith(MX + ":"));
        if (policyTypesOk) {
            try {
                policy = Policy.of(mode, mx, maxAge);
            } catch (InvalidException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidException(problems);
        }
        return new DomainRow(domain, policy);
    }

    private static String expected(String what, Object got) {
        String type = got == null ? "nothing"
                : got instanceof String ? "a string"
                : got instanceof BigDecimal ? "a number"
                : got instanceof List ? "a list"
                : got instanceof Map ? "a map"
                : got instanceof Boolean ? "a boolean"
                : got instanceof java.util.Set ? "a set"
                : got.getClass().getSimpleName();
        return "expected " + what + ", got " + type;
    }
}
