package dev.mtasts.lifecycle;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Mode;
import dev.mtasts.core.MxMove;
import dev.mtasts.core.MxMove.Phase;
import dev.mtasts.core.MxPattern;
import dev.mtasts.core.Policy;
import dev.mtasts.store.DomainStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * What the lifecycle does with a ready domain's MX records ({@link Lifecycle.Step#MX}). An MX move
 * ({@code domain move-mx}) is carried along its phases ({@link MxMove.Phase}): once the policy that covers the old and
 * the new hosts is announced, the stack waits until no sender can hold the previous one (RFC 8461 §8.1), says when that
 * is (an alert, with the exact Route53 change), and at once if the MX records change before then; with
 * {@code --switch-mx} it changes them itself; once no MX record names the old hosts, it drops them from the policy. A
 * policy the stack seeded from the MX records, and the user never changed, follows them.
 *
 * <p>A move's records are read on every run of the lifecycle's schedule (every five minutes), a seeded policy's at most
 * once an hour. The row is written only where it still holds what the stack expects, so a user's write always wins.
 */
final class MxWatch {
    /**
     * How often a move's MX records are read: with the schedule every five minutes, a change is seen within ten (sooner
     * when the move has something to do: its new policy announced, its safe time come).
     */
    static final Duration MOVE_LOOK = Duration.ofMinutes(5);
    /** How often a seeded policy's MX records are read: a testing policy that misses a host only costs a report. */
    static final Duration FOLLOW_LOOK = Duration.ofHours(1);
    /** The TTL of MX records the stack writes where there were none to keep. */
    static final long MX_TTL = 3600;

    private final DomainStore store;
    private final Zones zones;
    private final BiConsumer<String, String> alert;
    private final boolean mayWriteMx;
    private final Clock clock;

    /**
     * @param alert takes a subject (under 100 characters) and a body; null sends none
     * @param mayWriteMx whether the stack may change MX records ({@code --switch-mx}): the template's AllowMxSwitch
     */
    MxWatch(DomainStore store, Zones zones, BiConsumer<String, String> alert, boolean mayWriteMx, Clock clock) {
        this.store = store;
        this.zones = zones;
        this.alert = alert;
        this.mayWriteMx = mayWriteMx;
        this.clock = clock;
    }

    /** Whether a ready domain's MX records are to be read now. */
    boolean due(DomainRowView row, Lifecycle lc, Instant now) {
        if (row.rowDeleted() || row.policy() == null) {
            return false;
        }
        MxMove.Wish wish = MxMove.Wish.of(row.item());
        MxMove move = lc.move();
        if (wish != null || move != null && !move.phase().over()) {
            return moveDue(row, lc, wish, move, now);
        }
        Lifecycle.Seeded seeded = lc.seeded();
        return following(row, seeded) && (seeded.lookedAt() == null || !seeded.lookedAt().plus(FOLLOW_LOOK).isAfter(now));
    }

    /** A move is looked at every {@link #MOVE_LOOK}, and at once when it has something to do. */
    private static boolean moveDue(DomainRowView row, Lifecycle lc, MxMove.Wish wish, MxMove move, Instant now) {
        if (wish == null || move == null || !move.asked().equals(wish.asked()) || move.phase().over()) {
            return true; // asked for, cancelled, or over with its wish still to clear
        }
        List<String> patterns = row.policy().mx().stream().map(MxPattern::value).toList();
        if (!sameSet(patterns, wish.covering()) && !sameSet(patterns, wish.after())) {
            return true; // the policy was changed by other means: set the move aside
        }
        boolean announced = lc.announced() != null && lc.announced().id().equals(row.policy().id());
        boolean awaitedAnnouncement = (move.phase() == Phase.COVERING || move.phase() == Phase.DROPPING) && announced;
        boolean safeNow = move.phase() == Phase.WAITING && (move.safeAfter() == null || !now.isBefore(move.safeAfter()));
        return awaitedAnnouncement || safeNow || move.lookedAt() == null || !move.lookedAt().plus(MOVE_LOOK).isAfter(now);
    }

    /** A seeded testing policy the row still holds as the stack wrote it. */
    private static boolean following(DomainRowView row, Lifecycle.Seeded seeded) {
        return seeded != null && row.policy() != null && row.policy().id().equals(seeded.id())
                && row.policy().mode() == Mode.TESTING;
    }

    Outcome look(DomainRowView row, Lifecycle lc, Zones.Zone zone) {
        MxMove.Wish wish = MxMove.Wish.of(row.item());
        MxMove move = lc.move();
        if (wish != null || move != null && !move.phase().over()) {
            Outcome o = move(row, lc, wish, move, zone);
            MxMove after = o.lifecycle().move();
            return after == null ? o : new Outcome.Done(o.lifecycle().withMove(after.looked(clock.instant())), o.detail());
        }
        if (following(row, lc.seeded())) {
            return follow(row, lc, zone);
        }
        return new Outcome.Done(lc, "nothing to look at");
    }

    // --- an MX move -------------------------------------------------------------------------------------------------

    private Outcome move(DomainRowView row, Lifecycle lc, MxMove.Wish wish, MxMove move, Zones.Zone zone) {
        Instant now = clock.instant();
        DomainName d = row.domain();
        if (wish == null) {
            // the wish left the row: by domain move-mx --cancel, which put the policy's patterns of before the move
            // back with it, or by a write of the whole row without it (a put-item), which sets the move aside
            List<String> patterns = row.policy().mx().stream().map(MxPattern::value).toList();
            if (move.before().isEmpty() || sameSet(patterns, move.before())) {
                return new Outcome.Done(lc.withMove(move.at(Phase.CANCELLED, now)), "mx move cancelled");
            }
            return new Outcome.Done(lc.withMove(move.at(Phase.SET_ASIDE, now)), "mx move set aside: the row was "
                    + "written without it");
        }
        if (move == null || !move.asked().equals(wish.asked())) {
            move = MxMove.start(wish, now);
        }
        if (move.phase().over()) {
            store.clearMove(d, wish.asked()); // a move over whose wish was not cleared (a lost write)
            return new Outcome.Done(lc.withMove(move), "mx move " + move.phase().text());
        }
        Policy policy = row.policy();
        List<String> patterns = policy.mx().stream().map(MxPattern::value).toList();
        boolean covering = sameSet(patterns, wish.covering());
        boolean after = sameSet(patterns, wish.after());
        if (!covering && !after) {
            store.clearMove(d, wish.asked());
            return new Outcome.Done(lc.withMove(move.at(Phase.SET_ASIDE, now)), "mx move set aside: the policy's mx "
                    + "patterns were changed after move-mx");
        }
        Lifecycle.Announced announced = lc.announced();
        if (move.phase() == Phase.COVERING) {
            boolean announcedHere = announced != null && announced.id().equals(policy.id());
            if (!announcedHere || !covers(announced, wish.to())) {
                return new Outcome.Done(lc.withMove(move), "mx move: waiting for the covering policy to be announced");
            }
            Instant safe = announced.earlierUntil() == null ? null : MxMove.minuteUp(announced.earlierUntil());
            move = move.waitingFor(announced.previous(), safe, now);
        }
        Optional<ResourceRecordSet> set = zones.mxSet(zone, d);
        List<String> live = hosts(set);
        if (move.phase() == Phase.WAITING) {
            boolean waiting = move.safeAfter() != null && now.isBefore(move.safeAfter());
            if (!live.isEmpty() && move.missedByPrevious(live).isEmpty()) {
                move = move.withOldRecords(Zones.values(set)); // the way back, should the records change too early
            }
            List<String> early = waiting ? move.missedByPrevious(live) : List.of();
            if (!early.equals(move.early())) {
                boolean newlyAtRisk = !early.isEmpty() && !new HashSet<>(move.early()).containsAll(early);
                move = move.withEarly(early, now);
                if (newlyAtRisk) {
                    send(subject("MTA-STS: mail to " + d + " at risk: MX changed before the safe time"),
                            earlyBody(d, move, live, announced));
                }
            }
            if (waiting) {
                return new Outcome.Done(lc.withMove(move), "mx move: senders may hold the previous policy until "
                        + MxMove.minute(move.safeAfter()));
            }
            move = move.at(Phase.SWITCH, now);
            String change = null;
            if (!live.isEmpty() && !namesAny(live, wish.from()) && namesAll(live, wish.to())) {
                move = move.withNote("the MX records name " + String.join(", ", wish.to()) + " already");
            } else if (wish.switchMx() && !mayWriteMx) {
                move = move.withNote("the stack may not write MX records (the stack's AllowMxSwitch parameter is "
                        + "false): change them yourself");
                change = command(zone, d, newRecords(wish, set), ttl(set));
            } else if (wish.switchMx()) {
                List<String> records = newRecords(wish, set);
                zones.change(zone, List.of(Zones.upsertMx(d.value(), records, ttl(set))),
                        "mta-sts-serverless: MX move of " + d + " (domain move-mx --switch-mx)");
                move = move.withNote("the stack changed the MX records at " + MxMove.past(now) + " to "
                        + String.join(", ", records.stream().map(r -> r.substring(0, r.length() - 1)).toList()));
                set = zones.mxSet(zone, d);
                live = hosts(set);
            } else {
                change = changeOrHint(zone, d, wish, set);
            }
            send(subject(move.note() != null && move.note().startsWith("the stack changed")
                    ? "MTA-STS: " + d + ": MX records moved to " + String.join(", ", wish.to())
                    : "MTA-STS: " + d + ": safe to move MX to " + String.join(", ", wish.to()) + " now"),
                    safeBody(d, move, change, after, !live.isEmpty() && !namesAny(live, wish.from())));
        }
        if (move.phase() == Phase.SWITCH) {
            if (live.isEmpty() || namesAny(live, wish.from())) {
                return new Outcome.Done(lc.withMove(move), "mx move: waiting for the MX records to stop naming "
                        + String.join(", ", wish.from()));
            }
            move = move.at(Phase.DROPPING, now);
            if (!after) {
                if (!store.replaceMx(d, patterns, wish.after())) {
                    return new Outcome.Done(lc.withMove(move), "mx move: the row changed meanwhile; looked at again");
                }
                return new Outcome.Done(lc.withMove(move), "mx move: no MX record names " + String.join(", ", wish.from())
                        + ": dropping " + (wish.from().size() == 1 ? "it" : "them") + " from the policy");
            }
        }
        // DROPPING: over once the policy without the old hosts is the one announced
        if (after && announced != null && announced.id().equals(policy.id())) {
            store.clearMove(d, wish.asked());
            return new Outcome.Done(lc.withMove(move.at(Phase.DONE, now)), "mx move done");
        }
        return new Outcome.Done(lc.withMove(move), "mx move: waiting for the policy without "
                + String.join(", ", wish.from()) + " to be announced");
    }

    /** The MX records the stack writes: the new hosts, with the priorities asked for or those of the records now. */
    static List<String> newRecords(MxMove.Wish wish, Optional<ResourceRecordSet> set) {
        List<Integer> existing = new ArrayList<>();
        for (String v : Zones.values(set)) {
            try {
                existing.add(Integer.parseInt(v.strip().split("\\s+")[0]));
            } catch (NumberFormatException e) {
                // not an MX value: no priority to keep
            }
        }
        existing.sort(null);
        List<String> records = new ArrayList<>();
        for (int i = 0; i < wish.to().size(); i++) {
            int priority = i < wish.priorities().size() ? wish.priorities().get(i)
                    : i < existing.size() ? existing.get(i)
                    : (existing.isEmpty() ? 0 : existing.get(existing.size() - 1)) + 10 * (i - existing.size() + 1);
            records.add(priority + " " + wish.to().get(i) + ".");
        }
        return records;
    }

    private static long ttl(Optional<ResourceRecordSet> set) {
        return set.map(ResourceRecordSet::ttl).filter(t -> t != null && t > 0).orElse(MX_TTL);
    }

    /** The exact Route53 change, as an aws CLI command, or how to make it when the new patterns are wildcards. */
    private static String changeOrHint(Zones.Zone zone, DomainName d, MxMove.Wish wish, Optional<ResourceRecordSet> set) {
        if (wish.to().stream().anyMatch(t -> t.startsWith("*."))) {
            return "  point the MX records of " + d + " (zone " + zone.name() + ", " + zone.id() + ") at hosts that "
                    + String.join(", ", wish.to()) + " match, in place of " + String.join(", ", wish.from());
        }
        return command(zone, d, newRecords(wish, set), ttl(set));
    }

    static String command(Zones.Zone zone, DomainName d, List<String> records, long ttl) {
        StringBuilder json = new StringBuilder("{\"Changes\":[{\"Action\":\"UPSERT\",\"ResourceRecordSet\":{\"Name\":\""
                + d + ".\",\"Type\":\"MX\",\"TTL\":" + ttl + ",\"ResourceRecords\":[");
        for (int i = 0; i < records.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"Value\":\"").append(records.get(i)).append("\"}");
        }
        json.append("]}}]}");
        return "  aws route53 change-resource-record-sets --hosted-zone-id " + zone.id() + " --change-batch '" + json + "'";
    }

    /**
     * @param dropped whether the policy names only the new hosts already (testing, none)
     * @param switched whether the MX records name none of the old hosts any more
     */
    private String safeBody(DomainName d, MxMove move, String change, boolean dropped, boolean switched) {
        StringBuilder b = new StringBuilder();
        String to = String.join(", ", move.to());
        Policy previous = move.previousEnforce();
        b.append(d).append(": ").append(move.note() != null && move.note().startsWith("the stack changed")
                ? "the MX records now name " + to + "." : "it is safe now to change the MX records to " + to + ".")
                .append("\n\n");
        b.append(previous == null ? "No sender holds an enforce policy that misses " + to + "."
                : "Senders that cached the previous policy (id " + previous.id() + ", enforce, max_age "
                + previous.maxAge() + ") could apply it until " + MxMove.minute(move.safeAfter()) + "; every sender now "
                + "holds the policy that covers " + to + ", or none.").append("\n\n");
        String from = String.join(", ", move.from());
        if (move.note() != null) {
            b.append(capital(move.note())).append(".\n\n");
        }
        if (change != null) {
            b.append("The change to make:\n").append(change).append("\n\n");
        }
        String it = move.from().size() == 1 ? "it" : "them";
        b.append(move.from().isEmpty() ? "Nothing leaves the policy: the move is done."
                : switched && dropped ? "The policy names " + from + " no more: the move is done."
                : switched ? "The stack drops " + from + " from the policy now, and the move is done."
                : dropped ? "The policy names " + from + " no more: the move is done once no MX record names " + it + "."
                : "Once no MX record names " + from + ", the stack drops " + it + " from the policy (within minutes) and "
                + "the move is done.").append("\nRun mta-sts domain get ").append(d).append(" to follow it.\n");
        return b.toString();
    }

    private String earlyBody(DomainName d, MxMove move, List<String> live, Lifecycle.Announced announced) {
        Policy previous = move.previousEnforce();
        boolean refused = previous != null && live.stream().allMatch(h -> !previous.uncovered(List.of(h)).isEmpty());
        boolean nowhere = MxMove.missedByEnforce(announced, live).size() == live.size();
        return d + ": the MX records name " + String.join(", ", live) + " before the safe time ("
                + MxMove.minute(move.safeAfter()) + ").\n\n" + capital(move.earlyWarning(announced)) + ".\n\n"
                + (refused && nowhere ? "No MX record is covered by the previous policy or the one announced now: "
                + "senders that cached either queue or bounce mail to " + d + ".\n\n"
                : refused ? "No MX record is covered by the previous policy: senders that cached it queue or bounce "
                + "mail to " + d + " until then.\n\n" : "Mail still reaches the MX hosts the previous policy covers.\n\n")
                + "Run mta-sts domain get " + d + " to follow it.\n";
    }

    private void send(String subject, String body) {
        if (alert != null) {
            alert.accept(subject, body);
        }
    }

    // --- a seeded policy follows the MX records ---------------------------------------------------------------------

    private Outcome follow(DomainRowView row, Lifecycle lc, Zones.Zone zone) {
        Instant now = clock.instant();
        Lifecycle.Seeded seeded = lc.seeded();
        Lifecycle.Seeded looked = new Lifecycle.Seeded(seeded.id(), now, seeded.followedAt(), seeded.before());
        Policy policy = row.policy();
        List<String> patterns = policy.mx().stream().map(MxPattern::value).toList();
        List<String> live = new ArrayList<>(new LinkedHashSet<>(zones.targeted(zone).mxHosts(row.domain())));
        if (live.isEmpty() || sameSet(live, patterns)) {
            return new Outcome.Done(lc.withSeeded(looked), "the seeded policy names the zone's MX hosts");
        }
        Policy next;
        try {
            next = Policy.of(Mode.TESTING.text(), live, Long.toString(policy.maxAge()));
        } catch (InvalidException e) {
            return new Outcome.Done(lc.withSeeded(looked), "the zone's MX hosts " + live + " are not valid mx patterns: "
                    + e.getMessage());
        }
        if (!store.replaceMx(row.domain(), patterns, live)) {
            return new Outcome.Done(lc.withSeeded(looked), "the row changed meanwhile");
        }
        return new Outcome.Done(lc.withSeeded(new Lifecycle.Seeded(next.id(), now, now, patterns)),
                "the seeded policy follows the zone's MX records: " + String.join(", ", patterns) + " -> "
                + String.join(", ", live));
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private static List<String> hosts(Optional<ResourceRecordSet> set) {
        return Zones.values(set).stream().map(MxMove::host).distinct().toList();
    }

    /** §4.1: whether any live MX host matches the pattern. */
    private static boolean names(List<String> live, String pattern) {
        MxPattern p = new MxPattern(pattern);
        return live.stream().anyMatch(p::matches);
    }

    /** Whether the MX records name a host any of the patterns match. */
    private static boolean namesAny(List<String> live, List<String> patterns) {
        return patterns.stream().anyMatch(p -> names(live, p));
    }

    /** Whether every pattern matches a host of the MX records. */
    private static boolean namesAll(List<String> live, List<String> patterns) {
        return patterns.stream().allMatch(p -> names(live, p));
    }

    /** Whether the announced body names every one of the patterns. */
    private static boolean covers(Lifecycle.Announced announced, List<String> patterns) {
        try {
            List<String> named = Policy.parse(announced.policy()).mx().stream().map(MxPattern::value).toList();
            return named.containsAll(patterns);
        } catch (InvalidException e) {
            return false;
        }
    }

    private static boolean sameSet(List<String> a, List<String> b) {
        return new HashSet<>(a).equals(new HashSet<>(b));
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** An SNS subject: printable ASCII, under 100 characters. */
    static String subject(String s) {
        String ascii = s.replaceAll("[^\\x20-\\x7e]", "?");
        return ascii.length() < 100 ? ascii : ascii.substring(0, 96) + "...";
    }
}
