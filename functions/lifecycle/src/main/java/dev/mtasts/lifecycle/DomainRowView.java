package dev.mtasts.lifecycle;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import java.util.Map;

/**
 * A domain as the lifecycle reads it: the user's wishes from the row (its policy, null when the row holds none or an
 * invalid one, with the reason; take-over; removal) and the stack's own state. A row deleted directly is a removal
 * asked for: what the stack made is taken down from its state.
 */
record DomainRowView(DomainName domain, Map<String, Object> item, Policy policy, String problem, boolean unseeded,
        boolean takeOver, boolean removeRequested, boolean rowDeleted, Lifecycle lifecycle) {

    /** @param row the row as stored, null once it is deleted */
    static DomainRowView of(DomainName domain, Map<String, Object> row, Lifecycle lifecycle) {
        if (row == null) {
            return new DomainRowView(domain, Map.of(DomainRow.DOMAIN, domain.value()), null, "the row was deleted",
                    false, false, true, true, lifecycle);
        }
        Policy policy = null;
        String problem = null;
        boolean unseeded = DomainRow.unseeded(row);
        if (!unseeded) {
            try {
                policy = DomainRow.parse(row).policy();
            } catch (InvalidException e) {
                problem = e.getMessage();
            }
        }
        return new DomainRowView(domain, row, policy, problem, unseeded, Boolean.TRUE.equals(row.get(DomainRow.TAKE_OVER)),
                row.get(DomainRow.REMOVE_REQUESTED) != null, false, lifecycle);
    }
}
