package dev.mtasts.core;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a domain is on its way from a new row to a policy that is served on its own certificate and announced in DNS
 * (RFC 8461 §3.1, §3.3), and back out again: the stack's own state of the domain, kept in the stack's state table
 * (attribute {@code lifecycle} of the domain's item), apart from the user's row, so that no write to the domains table
 * can make the stack forget what it made, wrote and announced (rows of earlier versions carried it in the same
 * attribute; the stack moves it once, the first time it sees such a row).
 *
 * <p>The way is a fixed table of steps ({@link Step#next}). Every step looks at what exists before it creates
 * anything, so a step that ran halfway (a crash, a lost reply, a second trigger) is simply run again. Policy changes
 * keep RFC 8461 §8.1's order: the body is checked live before its id is published.
 *
 * @param step the step to run next; {@link Step#READY} at rest
 * @param blocked whether {@code step} waits for the user (then {@code detail} says what to do)
 * @param detail what is happening now, in plain words
 * @param since when {@code step} (or being blocked at it) began
 * @param retryAt when to run {@code step} again, or null for at once
 * @param attempts how many times in a row {@code step} failed for a passing reason
 * @param zoneId the Route53 hosted zone of the domain
 * @param zoneName that zone's name
 * @param certificateArn the ACM certificate of {@code mta-sts.<domain>}
 * @param validation the ACM validation CNAME published in the zone, {@code name value}
 * @param target the custom domain's regional API Gateway name and its hosted zone, {@code name zone}
 * @param accepted the id of the policy the MX check passed, so it may be served and announced
 * @param refused the id of a policy the MX check refused, with the reason
 * @param live the id of the policy last fetched live, as senders fetch it
 * @param reporting the {@code _smtp._tls} value published
 * @param announced the id published in {@code _mta-sts}, and the body it stands for
 * @param lease who advances the domain now, and until when
 * @param seeded the policy the stack seeded from the zone's MX hosts, which it keeps following while the row holds it
 * @param move an MX move ({@code domain move-mx}) as far as the stack has carried it, the last one once it is over
 * @param api the HTTP API the custom domain was mapped to: the stack's own, unless the stack was deployed again
 * @param delegation for a domain whose DNS is not in Route53 ({@code dns: delegated}): the stack's delegation zone,
 *     under which it keeps the domain's records behind the CNAMEs the user published once ({@link Delegation});
 *     null for a domain in a hosted zone of the account
 */
public record Lifecycle(Step step, boolean blocked, String detail, Instant since, Instant retryAt, int attempts,
        String zoneId, String zoneName, String certificateArn, String validation, String target, String accepted,
        Refusal refused, String live, String reporting, Announced announced, Lease lease, Seeded seeded, MxMove move,
        String api, String delegation) {

    /** The attribute of a domain's state item that holds this (and of rows written by earlier versions). */
    public static final String ATTRIBUTE = "lifecycle";

    /** The steps, in the order they run; {@link #next} is the table. */
    public enum Step {
        ZONE("zone", "finding the domain's public hosted zone"),
        CONFLICTS("conflicts", "looking for records of another host at mta-sts, _mta-sts and _smtp._tls"),
        SEED("seed", "reading the row's policy (seeding it from the zone's MX hosts if it has none)"),
        CERTIFICATE("certificate", "getting an ACM certificate for the policy host"),
        /** Only for a domain whose DNS is elsewhere: its CNAMEs in public DNS, then its certificate validated. */
        DELEGATION("delegation", "waiting for the domain's CNAMEs to the delegation zone in public DNS (RFC 8461 §8.2)"),
        CUSTOM_DOMAIN("custom-domain", "creating the policy host's API Gateway custom domain"),
        ALIAS("alias", "pointing the policy host (A and AAAA) at the custom domain"),
        DECIDE("decide", "checking the policy against the zone's MX hosts"),
        LIVE_CHECK("live-check", "fetching the policy over HTTPS as senders do"),
        REPORTING("reporting", "publishing _smtp._tls"),
        ANNOUNCE("announce", "publishing _mta-sts with the policy's id"),
        READY("ready", "served on its own certificate and announced"),
        /** From ready and back: an MX move under way, or a seeded policy that follows the zone's MX records. */
        MX("mx", "looking at the zone's MX records (an MX move under way, or a seeded policy that follows them)"),
        // removal: the reverse, _mta-sts first and the row last
        WITHDRAW_ANNOUNCEMENT("withdraw-announcement", "removing _mta-sts"),
        WITHDRAW_REPORTING("withdraw-reporting", "removing _smtp._tls"),
        WITHDRAW_ALIAS("withdraw-alias", "removing the policy host's A and AAAA records"),
        DELETE_CUSTOM_DOMAIN("delete-custom-domain", "deleting the API Gateway custom domain"),
        DELETE_CERTIFICATE("delete-certificate", "deleting the ACM certificate and its validation record"),
        DELETE_ROW("delete-row", "deleting the row"),
        /** Outside the table: the local stack without an AWS emulator serves the policy and makes nothing else. */
        LOCAL("local", "served by the local stack only: without an AWS emulator there is no certificate, custom "
                + "domain or DNS record");

        private final String text;
        private final String doing;

        Step(String text, String doing) {
            this.text = text;
            this.doing = doing;
        }

        /** The name users see ({@code domain get}, {@code --json}). */
        public String text() {
            return text;
        }

        /** What the step does, in plain words. */
        public String doing() {
            return doing;
        }

        /** The table: the step after this one once it is done; null after the last. */
        public Step next() {
            return switch (this) {
                case ZONE -> CONFLICTS;
                case CONFLICTS -> SEED;
                case SEED -> CERTIFICATE;
                case CERTIFICATE -> CUSTOM_DOMAIN;
                case DELEGATION -> CUSTOM_DOMAIN;
                case CUSTOM_DOMAIN -> ALIAS;
                case ALIAS -> DECIDE;
                case DECIDE -> LIVE_CHECK;
                case LIVE_CHECK -> REPORTING;
                case REPORTING -> ANNOUNCE;
                case ANNOUNCE -> READY;
                case READY -> READY;
                case MX -> READY;
                case WITHDRAW_ANNOUNCEMENT -> WITHDRAW_REPORTING;
                case WITHDRAW_REPORTING -> WITHDRAW_ALIAS;
                case WITHDRAW_ALIAS -> DELETE_CUSTOM_DOMAIN;
                case DELETE_CUSTOM_DOMAIN -> DELETE_CERTIFICATE;
                case DELETE_CERTIFICATE -> DELETE_ROW;
                case DELETE_ROW -> null;
                case LOCAL -> ZONE;
            };
        }

        public boolean removing() {
            return ordinal() >= WITHDRAW_ANNOUNCEMENT.ordinal() && this != LOCAL;
        }

        public static Step parse(String text) {
            for (Step s : values()) {
                if (s.text.equals(text)) {
                    return s;
                }
            }
            return null;
        }
    }

    /** A policy the MX check refused to announce. */
    public record Refusal(String id, String reason) {
    }

    /**
     * What {@code _mta-sts} says now, and the body senders fetch for that id; when it was published, the body it
     * replaced, and until when senders may still apply an earlier {@code enforce} policy ({@link PolicyUpdates}).
     * Announcements of earlier versions carry only the id and the body.
     */
    public record Announced(String id, String policy, Instant at, String previous, Instant earlierUntil) {
        public Announced(String id, String policy) {
            this(id, policy, null, null, null);
        }

        /** §8.1: this id and body, published at {@code now} in place of {@code before} with this TTL. */
        public static Announced replacing(Announced before, String id, String policy, Instant now, long txtTtl) {
            return new Announced(id, policy, now, before == null ? null : before.policy(),
                    PolicyUpdates.earlierEnforcedUntil(now, txtTtl, before));
        }
    }

    /**
     * A policy the stack seeded from the zone's MX hosts (a row that held only its domain), and which it keeps
     * following while the row holds it: when the MX records change, its patterns follow.
     *
     * @param id the id of the policy the stack wrote last
     * @param lookedAt when the stack last read the zone's MX records for it
     * @param followedAt when its patterns last followed the MX records, or null
     * @param before the patterns they followed from, or empty
     */
    public record Seeded(String id, Instant lookedAt, Instant followedAt, List<String> before) {
        public Seeded {
            before = List.copyOf(before);
        }
    }

    /** One invocation advances a domain at a time: the one holding an unexpired lease. */
    public record Lease(String owner, Instant until) {
    }

    /** What the local stack without an AWS emulator writes on its rows. */
    public static Lifecycle local(Instant now) {
        return new Lifecycle(Step.LOCAL, false, Step.LOCAL.doing(), now, null, 0, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
    }

    /** A domain the stack has not looked at yet. */
    /**
     * What the stack believes of a lifecycle an earlier version kept on the row, which anyone who can write the
     * domains table can write too: nothing but its announcement, and that only when it is a valid policy whose id is
     * that policy's own (RFC 8461 §3.1: the id the stack gives a body). A fresh lifecycle at its first step holding that
     * announcement, or null. Whoever takes it over checks the rest against what exists (the stack's steps do).
     */
    public static Lifecycle ofEarlierVersion(Lifecycle legacy, Instant now) {
        Announced a = legacy == null ? null : legacy.announced();
        if (a == null || a.id() == null || a.policy() == null) {
            return null;
        }
        try {
            if (!Policy.parse(a.policy()).id().equals(a.id())) {
                return null;
            }
        } catch (InvalidException e) {
            return null;
        }
        return start(now).withAnnounced(a).withAccepted(a.id());
    }

    public static Lifecycle start(Instant now) {
        return new Lifecycle(Step.ZONE, false, Step.ZONE.doing(), now, null, 0, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
    }

    /** What {@code domain get} shows: a state and, in plain words, what is happening. */
    public record Status(String state, String detail) {
    }

    /**
     * A domain's status as both tables hold it: its row under its key ({@code row} null once deleted), and the
     * stack's lifecycle of it (null before the stack has looked at it). A row the stack cannot take is blocked, with
     * the reason and the way out, whatever else is known: a key that is not a domain as rows are keyed is never
     * picked up, and the local stack without an AWS emulator neither seeds a policy nor serves an invalid row.
     */
    public static Status status(String key, Map<String, ?> row, Lifecycle lifecycle) {
        String keyProblem = row == null ? null : DomainRow.keyProblem(key);
        if (keyProblem != null) {
            boolean typed = key.matches("[A-Za-z0-9.-]+");
            return new Status(BLOCKED, "the stack never picks this row up: " + keyProblem
                    + (typed ? "; add the domain in that form and remove this row (mta-sts domain remove " + key + ")"
                            : "; remove this row"));
        }
        if (lifecycle == null) {
            return new Status("new", "the stack has not picked the domain up yet");
        }
        Policy current = null;
        String problem = null;
        if (row != null) {
            try {
                current = DomainRow.parse(row).policy();
            } catch (InvalidException e) {
                problem = e.problems().get(0).message();
            }
        }
        if (lifecycle.step() == Step.LOCAL && row != null && current == null) {
            String fix = "mta-sts domain put " + key + " --mode testing --mx <your MX host>";
            return new Status(BLOCKED, DomainRow.unseeded(row)
                    ? "not served: the row holds no policy, and without an AWS emulator nothing seeds one from the "
                            + "zone's MX hosts; give it its policy: " + fix
                    : "not served: the row is not a valid policy (" + problem + "). Fix it: " + fix);
        }
        return lifecycle.status(current, row == null || row.get(DomainRow.REMOVE_REQUESTED) != null);
    }

    /**
     * The status of the row as it is now. A status always describes the row's current policy and wishes: when the
     * row has changed since the stack last looked (a new policy after a refusal, a removal asked for), what is shown
     * is the step the row now asks for, not the stale outcome of the last run.
     */
    public Status status(Policy current, boolean removeRequested) {
        if (step == Step.LOCAL) {
            return new Status(step.text(), detail);
        }
        Step asked = stepFor(current, removeRequested);
        boolean refusedAnother = blocked && refused != null && current != null && !refused.id().equals(current.id());
        if (asked == step && !refusedAnother) {
            return new Status(state(), detail);
        }
        String what = removeRequested ? "removal asked for"
                : current == null ? "the row changed" : "the policy changed (id " + current.id() + ")";
        return new Status(asked.text(), what + ": " + asked.doing() + " (the stack picks it up within seconds)");
    }

    /** The state of a domain that waits for its user. */
    static final String BLOCKED = "blocked";

    /** The user-facing state: {@code ready}, {@code blocked} (needs the user), or the step under way. */
    public String state() {
        return blocked ? BLOCKED : step.text();
    }

    /**
     * The step to run now for this row. The table gives the next step; the row's wishes come first: a removal request
     * turns the domain around, and a policy whose id differs from the one announced (or refused) sends a domain at
     * rest back to the MX check.
     */
    public Step stepFor(Policy current, boolean removeRequested) {
        if (removeRequested) {
            return step.removing() ? step : Step.WITHDRAW_ANNOUNCEMENT;
        }
        if (step.removing() || step == Step.LOCAL) {
            return Step.ZONE; // a withdrawn removal, or a row the local stack served: build up, reusing what is there
        }
        boolean pastAlias = step.ordinal() > Step.ALIAS.ordinal();
        if (pastAlias && current == null) {
            return Step.SEED; // the row became invalid (or lost its policy): say so there
        }
        if (pastAlias && !current.id().equals(accepted)) {
            return Step.DECIDE; // a policy the MX check has not passed yet
        }
        return step;
    }

    /**
     * Whether the lifecycle has nothing to do for this row: ready with the current policy announced, or removed.
     * Blocked domains are not at rest: they are looked at again (the user may have fixed the cause).
     */
    public boolean atRest(Policy current, boolean removeRequested) {
        return !removeRequested && step == Step.READY && !blocked && current != null && announced != null
                && current.id().equals(announced.id());
    }

    /**
     * RFC 8461 §3.3, §5 and §8.1: the body the policy host serves for a domain, or null for none (404). A change of
     * the row is served by the very next request, except an {@code enforce} policy that has not passed the MX check:
     * serving it could make a sender that fetches now cache a policy that misses an MX host, under whatever id DNS
     * says, and refuse mail to that host (§5). Until the check has passed, senders get the body the stack announced,
     * or nothing. {@code testing} and {@code none} are never refused and so are served at once. Whatever else the row
     * becomes (deleted, emptied, invalid), the announced body is served until the announcement is withdrawn: DNS
     * still names its id.
     *
     * @param current the row's policy, null when the row is gone or holds no valid policy
     * @param lifecycle the stack's state of the domain, null before the stack has looked at it
     */
    public static String bodyToServe(Policy current, Lifecycle lifecycle) {
        String announced = lifecycle == null || lifecycle.announced() == null ? null : lifecycle.announced().policy();
        if (current == null) {
            return announced;
        }
        String body = current.render();
        if (current.mode() != Mode.ENFORCE) {
            return body;
        }
        String id = current.id();
        boolean passed = lifecycle != null && (id.equals(lifecycle.accepted())
                || lifecycle.announced() != null && id.equals(lifecycle.announced().id()));
        if (passed) {
            return body;
        }
        if (lifecycle != null && lifecycle.step() == Step.LOCAL) {
            return body; // the local stack without an AWS emulator announces nothing and has no MX to check against
        }
        return announced;
    }

    public Lifecycle at(Step next, String detail, Instant now) {
        boolean same = next == step && !blocked;
        return new Lifecycle(next, false, detail, same ? since : now, null, 0, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle waiting(String detail, Instant retry) {
        return new Lifecycle(step, false, detail, since, retry, 0, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    /** AWS is limiting the rate of requests: try again at {@code retry}, the count of failures left as it is. */
    public Lifecycle backingOff(String detail, Instant retry) {
        return new Lifecycle(step, false, detail, since, retry, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle failing(String detail, Instant retry) {
        return new Lifecycle(step, false, detail, since, retry, attempts + 1, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle blockedBy(String detail, Instant now, Instant lookAgain) {
        return new Lifecycle(step, true, detail, blocked ? since : now, lookAgain, 0, zoneId, zoneName,
                certificateArn, validation, target, accepted, refused, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle withZone(String id, String name) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, id, name, certificateArn, validation,
                target, accepted, refused, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle withCertificate(String arn, String validationRecord) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, arn, validationRecord,
                target, accepted, refused, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle withTarget(String t) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, t, accepted, refused, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    /** The MX check passed for this id: it may be served (it is what the id will say) and then announced. */
    public Lifecycle withAccepted(String id) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, id, null, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle withRefused(Refusal r) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, null, r, live, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle withLive(String id) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, id, reporting, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle withReporting(String value) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, value, announced, lease, seeded, move, api, delegation);
    }

    public Lifecycle withAnnounced(Announced a) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, a, lease, seeded, move, api, delegation);
    }

    public Lifecycle withLease(Lease l) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, l, seeded, move, api, delegation);
    }

    public Lifecycle withSeeded(Seeded s) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, lease, s, move, api, delegation);
    }

    /** The delegation zone the domain's records live under, or null for a domain in a hosted zone of its own. */
    public Lifecycle withDelegation(String zone) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, lease, seeded, move, api, zone);
    }

    /** Whether the domain's DNS is elsewhere, reached through CNAMEs to the stack's delegation zone. */
    public boolean delegated() {
        return delegation != null;
    }

    public Lifecycle withMove(MxMove m) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, lease, seeded, m, api, delegation);
    }

    public Lifecycle withApi(String a) {
        return new Lifecycle(step, blocked, detail, since, retryAt, attempts, zoneId, zoneName, certificateArn,
                validation, target, accepted, refused, live, reporting, announced, lease, seeded, move, a, delegation);
    }

    /** The lifecycle of a row's item, or null when the stack has not looked at the domain yet (or it is unreadable). */
    public static Lifecycle of(Map<String, ?> item) {
        if (!(item.get(ATTRIBUTE) instanceof Map<?, ?> m)) {
            return null;
        }
        Step step = Step.parse(text(m, "step"));
        if (step == null) {
            return null;
        }
        Refusal refused = m.get("refused") instanceof Map<?, ?> r && text(r, "id") != null
                ? new Refusal(text(r, "id"), String.valueOf(text(r, "reason"))) : null;
        Announced announced = m.get("announced") instanceof Map<?, ?> a && text(a, "id") != null
                ? new Announced(text(a, "id"), String.valueOf(text(a, "policy")), instant(a, "at"), text(a, "previous"),
                        instant(a, "earlier_until")) : null;
        Seeded seeded = m.get("seeded") instanceof Map<?, ?> sd && text(sd, "id") != null
                ? new Seeded(text(sd, "id"), instant(sd, "looked_at"), instant(sd, "followed_at"),
                        MxMove.strings(sd.get("before"))) : null;
        Lease lease = m.get("lease") instanceof Map<?, ?> l && text(l, "owner") != null && l.get("until") instanceof BigDecimal u
                ? new Lease(text(l, "owner"), Instant.ofEpochMilli(u.longValue())) : null;
        return new Lifecycle(step, Boolean.TRUE.equals(m.get("blocked")), String.valueOf(text(m, "detail")),
                instant(m, "since"), instant(m, "retry_at"),
                m.get("attempts") instanceof BigDecimal n ? n.intValue() : 0,
                text(m, "zone_id"), text(m, "zone_name"), text(m, "certificate_arn"), text(m, "validation"),
                text(m, "target"), text(m, "accepted"), refused, text(m, "live"), text(m, "reporting"), announced, lease,
                seeded, MxMove.of(m.get("move")), text(m, "api"), text(m, "delegation"));
    }

    /** As stored: plain values (String, Number, Boolean, Map), nulls left out. */
    public Map<String, Object> toPlain() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step.text());
        m.put("blocked", blocked);
        m.put("detail", detail);
        put(m, "since", since);
        put(m, "retry_at", retryAt);
        m.put("attempts", attempts);
        put(m, "zone_id", zoneId);
        put(m, "zone_name", zoneName);
        put(m, "certificate_arn", certificateArn);
        put(m, "validation", validation);
        put(m, "target", target);
        put(m, "accepted", accepted);
        if (refused != null) {
            m.put("refused", Map.of("id", refused.id(), "reason", refused.reason()));
        }
        put(m, "live", live);
        put(m, "reporting", reporting);
        put(m, "api", api);
        put(m, "delegation", delegation);
        if (announced != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", announced.id());
            a.put("policy", announced.policy());
            put(a, "at", announced.at());
            put(a, "previous", announced.previous());
            put(a, "earlier_until", announced.earlierUntil());
            m.put("announced", a);
        }
        if (lease != null) {
            m.put("lease", leasePlain(lease));
        }
        if (seeded != null) {
            Map<String, Object> sd = new LinkedHashMap<>();
            sd.put("id", seeded.id());
            put(sd, "looked_at", seeded.lookedAt());
            put(sd, "followed_at", seeded.followedAt());
            if (!seeded.before().isEmpty()) {
                sd.put("before", seeded.before());
            }
            m.put("seeded", sd);
        }
        if (move != null) {
            m.put("move", move.toPlain());
        }
        return m;
    }

    /** A lease as stored: its expiry in epoch milliseconds, so that conditions can compare it with a number. */
    public static Map<String, Object> leasePlain(Lease lease) {
        return Map.of("owner", lease.owner(), "until", lease.until().toEpochMilli());
    }

    /** The steps a domain goes through when added, in order (for documentation and progress output). */
    public static List<Step> provisioning() {
        return List.of(Step.ZONE, Step.CONFLICTS, Step.SEED, Step.CERTIFICATE, Step.CUSTOM_DOMAIN, Step.ALIAS,
                Step.DECIDE, Step.LIVE_CHECK, Step.REPORTING, Step.ANNOUNCE, Step.READY);
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value instanceof Instant i ? i.toString() : value);
        }
    }

    private static String text(Map<?, ?> m, String key) {
        return m.get(key) instanceof String s ? s : null;
    }

    private static Instant instant(Map<?, ?> m, String key) {
        try {
            return m.get(key) instanceof String s ? Instant.parse(s) : null;
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
