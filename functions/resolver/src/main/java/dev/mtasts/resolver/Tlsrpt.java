package dev.mtasts.resolver;

import dev.mtasts.core.MxPattern;
import dev.mtasts.core.Policy;
import java.util.ArrayList;
import java.util.List;

/**
 * What Postfix (3.10 and later, with {@code smtp_tlsrpt_enable = yes}) needs in a TLS policy answer to report an
 * MTA-STS result to the receiving domain (RFC 8460 §4.4), as its TLSRPT_README names the attributes:
 * {@code policy_type=sts}, {@code policy_domain}, one {@code mx_host_pattern} per {@code mx:} line, and one
 * {@code { policy_string = … }} per line of the policy. Postfix before 3.10 refuses these attributes (and defers the
 * mail), hence the zone's {@code tlsrpt} key, off by default.
 *
 * <p>Postfix splits an answer at white space and commas, except inside {@code { }}; a policy line holding a brace
 * would end the value early and the rest would be read as attributes of their own (a policy host could add a
 * {@code match=} of its choosing), so such a line is left out of the report, and so is one with a character Postfix's
 * TLSRPT library does not take (outside printable ASCII). Only extension lines can hold one.
 */
final class Tlsrpt {
    /** RFC 8460 §4.3's result for a failure without a more precise type: here, no MX host matches the policy. */
    static final String NO_MX_MATCHES = "validation-failure";

    private Tlsrpt() {
    }

    /** The attributes for a policy of {@code domain}, starting with a space; with {@code failure}, a forced failure. */
    static String attributes(String domain, Policy policy, String failure) {
        StringBuilder b = new StringBuilder(" policy_type=sts policy_domain=").append(domain);
        for (MxPattern p : policy.mx()) {
            b.append(" mx_host_pattern=").append(p.value());
        }
        for (String line : policyStrings(policy)) {
            b.append(" { policy_string = ").append(line).append(" }");
        }
        if (failure != null) {
            b.append(" policy_failure=").append(failure);
        }
        return b.toString();
    }

    /** The policy's lines as the report shows them: its fields in the canonical order, lines Postfix cannot carry left out. */
    static List<String> policyStrings(Policy policy) {
        List<String> out = new ArrayList<>();
        for (String line : policy.render().split("\r\n")) {
            if (!line.isEmpty() && line.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '{' && c != '}')) {
                out.add(line);
            }
        }
        return out;
    }
}
