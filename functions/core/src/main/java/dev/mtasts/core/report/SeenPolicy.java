package dev.mtasts.core.report;

import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Mode;
import dev.mtasts.core.Policy;

/**
 * RFC 8460 §4.4, {@code policy-string}: the MTA-STS policy a sender applied, one line of it per string. Its mode,
 * and the id this project gives that body ({@link Policy#id}): the id the stack announces for it, so the policies
 * senders saw can be told apart, and set against the one published, day by day.
 *
 * @param mode the policy's mode
 * @param id {@link Policy#id} of the policy, whoever published it (another host may have announced it under an id
 *     of its own)
 */
public record SeenPolicy(Mode mode, String id) {

    /**
     * The policy an {@code sts} entry reports, or null when it reports none that can be read: another policy type, no
     * {@code policy-string} (Mail.ru leaves it out), or lines that are not a valid policy (nothing is guessed from
     * half a policy).
     */
    public static SeenPolicy of(PolicyResult p) {
        if (!"sts".equals(p.type()) || p.policyStrings().isEmpty()) {
            return null;
        }
        try {
            Policy policy = Policy.parse(String.join("\n", p.policyStrings()));
            return new SeenPolicy(policy.mode(), policy.id());
        } catch (InvalidException e) {
            return null;
        }
    }
}
