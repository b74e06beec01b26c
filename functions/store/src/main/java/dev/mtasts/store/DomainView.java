package dev.mtasts.store;

import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A domain as both tables hold it: the user's row (null once it is deleted) and the stack's state for it (null before
 * the stack has looked at it, and once it has removed everything).
 *
 * @param key the domain as stored, the key of both items
 */
public record DomainView(String key, Map<String, Object> row, Map<String, Object> state) {

    /**
     * The stack's lifecycle of the domain: from its state. For a row of an earlier version not moved yet (at most a
     * schedule run after an upgrade), only the announcement that row carries, and only when it is a valid policy with
     * its own id ({@link Lifecycle#ofEarlierVersion}): the policy senders were told of stays served meanwhile, and a
     * lifecycle written into a row by hand makes the stack believe nothing else.
     */
    public Lifecycle lifecycle() {
        if (state != null) {
            return Lifecycle.of(state);
        }
        return row == null ? null : Lifecycle.ofEarlierVersion(Lifecycle.of(row), java.time.Instant.EPOCH);
    }

    /** What the daily check found, or null. */
    public Object check() {
        return state != null ? state.get(StateStore.CHECK) : row == null ? null : row.get(StateStore.CHECK);
    }

    public boolean rowDeleted() {
        return row == null;
    }

    /**
     * The domain as one map, for readers of a single item: the row's attributes (only {@code domain} once it is
     * deleted), with {@code lifecycle} and {@code check} the stack's, whatever the row itself holds under those names.
     */
    public Map<String, Object> merged() {
        Map<String, Object> m = new LinkedHashMap<>(row == null ? Map.of(DomainRow.DOMAIN, key) : row);
        m.remove(Lifecycle.ATTRIBUTE);
        m.remove(StateStore.CHECK);
        Lifecycle lc = lifecycle();
        if (lc != null) {
            m.put(Lifecycle.ATTRIBUTE, lc.toPlain());
        }
        if (check() != null) {
            m.put(StateStore.CHECK, check());
        }
        return m;
    }
}
