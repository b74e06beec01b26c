package dev.mtasts.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the {@code _mta-sts} TXT record of a domain should say, given its row and the MX hosts in its zone.
 *
 * <ul>
 *   <li>no row: no record ({@link Withdraw});</li>
 *   <li>an invalid row: keep whatever is published, never announce it (§3.2 policies must be valid);</li>
 *   <li>an {@code enforce} policy whose patterns miss a live MX host: keep what is published, since announcing it
 *       would make senders refuse mail to that host (§4.1, §5);</li>
 *   <li>otherwise: {@code v=STSv1; id=<policy id>} ({@link Publish}).</li>
 * </ul>
 */
public sealed interface Announcement {

    /**
     * Publish this record, which announces {@code policy}. {@code uncovered} lists MX hosts a {@code testing} policy
     * does not match (a warning).
     */
    record Publish(StsRecord record, Policy policy, List<String> uncovered) implements Announcement {
    }

    /** Leave the published record as it is, for this reason. */
    record Refuse(String reason) implements Announcement {
    }

    /** Remove the record: the domain has no row. */
    record Withdraw() implements Announcement {
    }

    public static Announcement decide(Optional<Map<String, Object>> item, List<String> mxHosts) {
        if (item.isEmpty()) {
            return new Withdraw();
        }
        DomainRow row;
        try {
            row = DomainRow.parse(item.get());
        } catch (InvalidException e) {
            return new Refuse("invalid row: " + e.getMessage());
        }
        Policy policy = row.policy();
        List<String> uncovered = policy.mode() == Mode.NONE ? List.of() : policy.uncovered(mxHosts);
        if (policy.mode() == Mode.ENFORCE && mxHosts.isEmpty()) {
            // nothing to check the patterns against: an MX record added later could be refused mail
            return new Refuse("enforce policy, but the zone has no MX record for the domain to check it against");
        }
        if (policy.mode() == Mode.ENFORCE && !uncovered.isEmpty()) {
            return new Refuse("enforce policy does not cover MX " + String.join(", ", uncovered)
                    + "; senders would refuse mail to " + (uncovered.size() == 1 ? "it" : "them"));
        }
        return new Publish(StsRecord.of(policy), policy, uncovered);
    }
}
