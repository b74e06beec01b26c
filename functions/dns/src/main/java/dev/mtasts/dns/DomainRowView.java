package dev.mtasts.dns;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import java.util.Map;

/**
 * A domain row as the lifecycle reads it: the user's policy (null when the row holds none or an invalid one, with the
 * reason), the user's wishes, and the stack's progress.
 */
record DomainRowView(DomainName domain, Map<String, Object> item, Policy policy, String problem, boolean unseeded,
        boolean takeOver, boolean removeRequested, Lifecycle lifecycle) {

    static DomainRowView of(DomainName domain, Map<String, Object> item) {
        Policy policy = null;
        String problem = null;
        boolean unseeded = DomainRow.unseeded(item);
        if (!unseeded) {
            try {
                policy = DomainRow.parse(item).policy();
            } catch (InvalidException e) {
                problem = e.getMessage();
            }
        }
        return new DomainRowView(domain, item, policy, problem, unseeded,
                Boolean.TRUE.equals(item.get(DomainRow.TAKE_OVER)), item.get(DomainRow.REMOVE_REQUESTED) != null,
                Lifecycle.of(item));
    }
}
