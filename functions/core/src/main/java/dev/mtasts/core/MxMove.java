package dev.mtasts.core;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A change of a domain's MX hosts that never bounces mail ({@code mta-sts domain move-mx}), in RFC 8461 §8.1's order:
 * first a policy that covers the old and the new hosts, announced with a new id; the MX records change only once no
 * sender can still hold the previous policy ({@link PolicyUpdates}); the old hosts leave the policy once no MX record
 * names them. Under {@code testing} and {@code none} nothing waits: senders deliver anyway.
 *
 * <p>The user's wish is on the row ({@link Wish}, attribute {@code mx_move}); this record is the stack's progress, kept
 * in its state ({@link Lifecycle#move()}), and moves along the table of {@link Phase}s.
 *
 * @param asked the wish this is the progress of (its {@code asked} time)
 * @param phase where the move is
 * @param since when {@code phase} began
 * @param from the patterns that leave the policy
 * @param to the patterns that join it
 * @param switchMx whether the stack changes the MX records itself at the safe time ({@code --switch-mx})
 * @param previous the body senders may hold from before the move (the policy the covering one replaced), or null
 * @param safeAfter when no sender can hold {@code previous} any more (§8.1); null: at once
 * @param early MX hosts seen before {@code safeAfter} that {@code previous} does not cover (empty: none)
 * @param earlySince when they were first seen
 * @param oldRecords the MX records last seen while {@code previous} covered them all ({@code 10 mail.example.com.}),
 *     for the way back
 * @param note what the stack did about the MX records themselves, or null
 * @param lookedAt when the stack last read the zone's MX records for it
 * @param before the policy's patterns before the move, which {@code --cancel} puts back (empty: not known, a move
 *     stored by an earlier version)
 */
public record MxMove(String asked, Phase phase, Instant since, List<String> from, List<String> to, boolean switchMx,
        String previous, Instant safeAfter, List<String> early, Instant earlySince, List<String> oldRecords,
        String note, Instant lookedAt, List<String> before) {

    public MxMove {
        from = List.copyOf(from);
        to = List.copyOf(to);
        early = List.copyOf(early);
        oldRecords = List.copyOf(oldRecords);
        before = List.copyOf(before);
    }

    /** Where a move is; {@link #next} is the table. */
    public enum Phase {
        COVERING("covering", "the policy covers the old and the new hosts; its id is being announced"),
        WAITING("waiting", "waiting until no sender can hold the previous policy (RFC 8461 §8.1)"),
        SWITCH("switch", "safe: waiting for the MX records to stop naming the old hosts"),
        DROPPING("dropping", "no MX record names the old hosts: the policy without them is being announced"),
        DONE("done", "the old hosts are out of the policy"),
        /** Outside the table: {@code domain move-mx --cancel}, before the MX records changed. */
        CANCELLED("cancelled", "cancelled: the previous policy is back"),
        /** Outside the table: the row was written by other means meanwhile (other mx patterns, or without the move). */
        SET_ASIDE("set-aside", "set aside: the row was changed after move-mx");

        private final String text;
        private final String doing;

        Phase(String text, String doing) {
            this.text = text;
            this.doing = doing;
        }

        public String text() {
            return text;
        }

        public String doing() {
            return doing;
        }

        /** The table: the phase after this one; null after the last. */
        public Phase next() {
            return switch (this) {
                case COVERING -> WAITING;
                case WAITING -> SWITCH;
                case SWITCH -> DROPPING;
                case DROPPING -> DONE;
                case DONE, CANCELLED, SET_ASIDE -> null;
            };
        }

        /** Whether the move is over (done, cancelled or set aside). */
        public boolean over() {
            return next() == null;
        }

        public static Phase parse(String text) {
            for (Phase p : values()) {
                if (p.text.equals(text)) {
                    return p;
                }
            }
            return null;
        }
    }

    /**
     * What the user asked for ({@code domain move-mx}), on the row as {@code mx_move}: the patterns that join and
     * leave the policy, the policy's patterns before the move (for {@code --cancel}), and whether the stack switches
     * the MX records itself, with which priorities.
     *
     * @param asked when it was asked for (ISO-8601), which tells one move from the next
     * @param priorities the MX priorities of the {@code to} hosts ({@code --to-priority}); empty: the existing ones
     */
    public record Wish(String asked, List<String> to, List<String> from, List<String> before, boolean switchMx,
            List<Integer> priorities) {

        public Wish {
            to = List.copyOf(to);
            from = List.copyOf(from);
            before = List.copyOf(before);
            priorities = List.copyOf(priorities);
        }

        /**
         * A move of {@code current}'s hosts: {@code to} joins, {@code from} leaves (null: the policy's patterns the new
         * ones do not cover). Every problem is said in the user's terms.
         */
        public static Wish of(Policy current, List<String> to, List<String> from, boolean switchMx,
                List<Integer> priorities, Instant asked) throws InvalidException {
            List<Problem> problems = new ArrayList<>();
            List<String> joining = patterns("--to", to, problems);
            List<String> policy = current.mx().stream().map(MxPattern::value).toList();
            List<String> leaving;
            if (from == null) {
                leaving = policy.stream().filter(p -> !covered(p, joining)).toList();
            } else {
                leaving = patterns("--from", from, problems);
                for (String p : leaving) {
                    if (!policy.contains(p)) {
                        problems.add(Problem.whole("--from " + p + " is not a pattern of the policy (mx "
                                + String.join(" ", policy) + ")"));
                    }
                    if (joining.contains(p)) {
                        problems.add(Problem.whole(p + " is in both --from and --to"));
                    }
                }
            }
            if (joining.isEmpty() && problems.isEmpty()) {
                problems.add(Problem.whole("--to needs at least one MX host pattern"));
            }
            if (problems.isEmpty() && policy.containsAll(joining) && leaving.isEmpty()) {
                problems.add(Problem.whole("nothing to move: the policy names " + String.join(", ", joining)
                        + " already and no pattern leaves it"));
            }
            if (switchMx) {
                joining.stream().filter(p -> p.startsWith("*.")).forEach(p -> problems.add(Problem.whole(
                        "--switch-mx writes MX records, which name hosts: " + p + " is a pattern; give the hosts")));
            }
            if (!priorities.isEmpty() && priorities.size() != joining.size()) {
                problems.add(Problem.whole("--to-priority needs one priority per --to host (" + joining.size()
                        + "), got " + priorities.size()));
            }
            priorities.stream().filter(p -> p < 0 || p > 65535).forEach(p -> problems.add(Problem.whole(
                    "--to-priority " + p + " is not an MX priority (0 to 65535)")));
            if (!priorities.isEmpty() && !switchMx) {
                problems.add(Problem.whole("--to-priority is for --switch-mx (the stack writes the MX records)"));
            }
            if (!problems.isEmpty()) {
                throw new InvalidException(problems);
            }
            return new Wish(asked.truncatedTo(ChronoUnit.SECONDS).toString(), joining, leaving, policy, switchMx,
                    priorities);
        }

        /** Whether a pattern of the policy stays covered by the joining ones (the same, or a host they match). */
        static boolean covered(String pattern, List<String> joining) {
            return joining.contains(pattern) || !pattern.startsWith("*.")
                    && joining.stream().anyMatch(j -> new MxPattern(j).matches(pattern));
        }

        private static List<String> patterns(String option, List<String> given, List<Problem> problems) {
            List<String> out = new ArrayList<>();
            for (String g : given) {
                try {
                    String p = MxPattern.parse(g.strip()).value();
                    if (!out.contains(p)) {
                        out.add(p);
                    }
                } catch (InvalidException e) {
                    problems.add(Problem.whole(option + ": " + e.getMessage()));
                }
            }
            return out;
        }

        /**
         * The row's policy from {@code domain move-mx} on: under {@code enforce}, one that covers the old and the new
         * hosts, until no sender can hold the previous one; under {@code testing} and {@code none} the new one at once
         * (senders deliver anyway).
         */
        public Policy policyNow(Policy current) throws InvalidException {
            return Policy.of(current.mode().text(), current.mode() == Mode.ENFORCE ? covering() : after(),
                    Long.toString(current.maxAge()));
        }

        /** Whether the stack has anything to carry out: a wait ({@code enforce}), or MX records to switch. */
        public boolean forTheStack(Policy current) {
            return current.mode() == Mode.ENFORCE || switchMx;
        }

        /** The policy's patterns while the move waits: the ones before it, then the joining ones. */
        public List<String> covering() {
            List<String> out = new ArrayList<>(before);
            to.stream().filter(p -> !out.contains(p)).forEach(out::add);
            return out;
        }

        /** The policy's patterns once the old hosts have left. */
        public List<String> after() {
            return covering().stream().filter(p -> !from.contains(p)).toList();
        }

        /** The wish on a row, or null when it has none (or one that cannot be read). */
        public static Wish of(Map<String, ?> row) {
            if (!(row.get(DomainRow.MX_MOVE) instanceof Map<?, ?> m) || !(m.get("asked") instanceof String asked)) {
                return null;
            }
            List<Integer> priorities = new ArrayList<>();
            if (m.get("to_priority") instanceof List<?> l) {
                for (Object o : l) {
                    if (o instanceof Number n) {
                        priorities.add(n.intValue());
                    }
                }
            }
            return new Wish(asked, strings(m.get("to")), strings(m.get("from")), strings(m.get("before")),
                    Boolean.TRUE.equals(m.get("switch_mx")), priorities);
        }

        /** As stored on the row. */
        public Map<String, Object> toPlain() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("asked", asked);
            m.put("to", to);
            m.put("from", from);
            m.put("before", before);
            m.put("switch_mx", switchMx);
            if (!priorities.isEmpty()) {
                m.put("to_priority", priorities);
            }
            return m;
        }
    }

    /** The stack's first look at a wish. */
    public static MxMove start(Wish wish, Instant now) {
        return new MxMove(wish.asked(), Phase.COVERING, now, wish.from(), wish.to(), wish.switchMx(), null, null,
                List.of(), null, List.of(), null, null, wish.before());
    }

    public MxMove at(Phase p, Instant now) {
        return p == phase ? this : new MxMove(asked, p, now, from, to, switchMx, previous, safeAfter, early, earlySince,
                oldRecords, note, lookedAt, before);
    }

    /** Waiting from here: senders may hold {@code previousBody} until {@code safe} (null: at once). */
    public MxMove waitingFor(String previousBody, Instant safe, Instant now) {
        return new MxMove(asked, Phase.WAITING, now, from, to, switchMx, previousBody, safe, early, earlySince,
                oldRecords, note, lookedAt, before);
    }

    public MxMove withEarly(List<String> hosts, Instant now) {
        Instant first = hosts.isEmpty() ? null : early.isEmpty() ? now : earlySince;
        return new MxMove(asked, phase, since, from, to, switchMx, previous, safeAfter, hosts, first, oldRecords, note,
                lookedAt, before);
    }

    public MxMove withOldRecords(List<String> records) {
        return new MxMove(asked, phase, since, from, to, switchMx, previous, safeAfter, early, earlySince, records, note,
                lookedAt, before);
    }

    public MxMove withNote(String n) {
        return new MxMove(asked, phase, since, from, to, switchMx, previous, safeAfter, early, earlySince, oldRecords, n,
                lookedAt, before);
    }

    public MxMove looked(Instant now) {
        return new MxMove(asked, phase, since, from, to, switchMx, previous, safeAfter, early, earlySince, oldRecords,
                note, now, before);
    }

    /** The previous policy, if senders may hold an {@code enforce} one (the only mode that refuses mail). */
    public Policy previousEnforce() {
        if (previous == null) {
            return null;
        }
        try {
            Policy p = Policy.parse(previous);
            return p.mode() == Mode.ENFORCE ? p : null;
        } catch (InvalidException e) {
            return null;
        }
    }

    /** §4.1: the live MX hosts a sender holding the previous enforce policy would not deliver to. */
    public List<String> missedByPrevious(List<String> mxHosts) {
        Policy p = previousEnforce();
        return p == null ? List.of() : p.uncovered(mxHosts);
    }

    /**
     * What the move means now, in plain words, for {@code domain get}, the alerts and the daily check (it follows
     * {@code mx move: }); null when there is no move. {@code move} is the stack's progress, ignored when it belongs to
     * another wish; {@code announced} is what {@code _mta-sts} says now.
     */
    public static String describe(Wish wish, MxMove move, Lifecycle.Announced announced, Instant now) {
        if (wish != null && (move == null || !move.asked().equals(wish.asked()))) {
            move = null; // the stack has not looked at this wish yet
        }
        if (wish == null && move == null) {
            return null;
        }
        List<String> from = move != null ? move.from() : wish.from();
        List<String> to = move != null ? move.to() : wish.to();
        boolean switchMx = move != null ? move.switchMx() : wish.switchMx();
        String dropping = from.isEmpty() ? "nothing leaves the policy"
                : "the stack drops " + list(from) + " from the policy once no MX record names " + them(from);
        if (move == null || move.phase() == Phase.COVERING) {
            String previous = announced == null ? null : maxAgeOf(announced.policy());
            return "the policy now covers " + list(to) + (from.isEmpty() ? "" : " beside " + list(from))
                    + "; its id is being announced, then " + (switchMx ? "the stack changes the MX records itself "
                    : "change your MX records ") + (previous == null ? "at once (no enforce policy was announced "
                    + "before)" : "once the previous policy's max_age (" + previous + ") has passed since; domain get "
                    + "shows the time then") + "; " + dropping;
        }
        return switch (move.phase()) {
            case WAITING -> {
                String when = move.safeAfter() == null ? "at once" : "after " + minute(move.safeAfter());
                String plan = "the policy now covers " + list(to) + "; " + (switchMx ? "the stack changes the MX "
                        + "records to " + list(to) + " " + when : "change your MX records " + when)
                        + (move.safeAfter() == null ? "" : " (senders may hold the previous policy until then)") + "; "
                        + dropping + (move.note() == null ? "" : "; " + move.note());
                yield move.early().isEmpty() ? plan : plan + ". " + move.earlyWarning(announced);
            }
            case SWITCH -> "safe since " + past(move.since()) + ": senders hold the policy that covers " + list(to)
                    + "; " + (move.note() != null ? move.note() + "; " : "change your MX records to " + list(to)
                    + "; ") + dropping;
            case DROPPING -> "no MX record names " + list(from) + " since " + past(move.since()) + "; the policy "
                    + "without " + them(from) + " is being announced";
            case DONE -> "done at " + past(move.since()) + (from.isEmpty() ? "" : ": " + list(from) + " left the policy")
                    + (announced == null ? "" : " (id " + announced.id() + ")")
                    + (move.note() == null ? "" : "; " + move.note());
            case CANCELLED -> "cancelled at " + past(move.since()) + ": the policy is back to what it was before";
            case SET_ASIDE -> "set aside at " + past(move.since()) + ": the row was changed after move-mx (other mx "
                    + "patterns, or written without the move); the MX records are yours to change";
            case COVERING -> throw new IllegalStateException("said above");
        };
    }

    /**
     * What an MX switch before the safe time risks, and what to do; {@code announced} is what {@code _mta-sts} says now
     * (the policy that covers the old and the new hosts), which may miss a host too: one the move is not for.
     */
    public String earlyWarning(Lifecycle.Announced announced) {
        Policy p = previousEnforce();
        String id = p == null ? "" : " (id " + p.id() + ")";
        String back = "Put the old MX records back" + (oldRecords.isEmpty() ? "" : " (" + String.join(", ", oldRecords)
                + ")");
        String risk = "WARNING: since " + past(earlySince) + " the MX records name " + list(early) + ", which the "
                + "previous policy" + id + " does not cover: senders that cached it will not deliver to " + them(early)
                + " until " + minute(safeAfter) + ". ";
        List<String> nowhere = missedByEnforce(announced, early);
        if (nowhere.isEmpty()) {
            return risk + back + ", or accept the risk until then (the move carries on by itself)";
        }
        return risk + list(nowhere) + (nowhere.size() == 1 ? " is" : " are") + " not in the policy announced now (id "
                + announced.id() + ") either: senders will not deliver to " + them(nowhere) + " after that time either "
                + "(this move is to " + list(to) + "). " + back + ", or those of the move (" + list(to) + ") and accept "
                + "the risk until then";
    }

    /** §4.1: the hosts an announced {@code enforce} policy does not cover (none for any other mode, or nothing). */
    public static List<String> missedByEnforce(Lifecycle.Announced announced, List<String> hosts) {
        if (announced == null) {
            return List.of();
        }
        try {
            Policy p = Policy.parse(announced.policy());
            return p.mode() == Mode.ENFORCE ? p.uncovered(hosts) : List.of();
        } catch (InvalidException e) {
            return List.of();
        }
    }

    /** The host of an MX record's value ({@code 10 mail.example.com.}). */
    public static String host(String mxValue) {
        String[] parts = mxValue.strip().split("\\s+");
        String h = parts[parts.length - 1];
        return (h.endsWith(".") ? h.substring(0, h.length() - 1) : h).toLowerCase(Locale.ROOT);
    }

    private static String maxAgeOf(String body) {
        try {
            Policy p = Policy.parse(body);
            return p.mode() == Mode.ENFORCE ? p.maxAge() + " s" : null;
        } catch (InvalidException e) {
            return null;
        }
    }

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** A time to come, to the minute, rounded up: a safe time is never said earlier than it is. */
    public static String minute(Instant t) {
        return t == null ? "?" : MINUTE.format(minuteUp(t));
    }

    /** A time gone by, to the minute. */
    public static String past(Instant t) {
        return t == null ? "?" : MINUTE.format(t.truncatedTo(ChronoUnit.MINUTES));
    }

    /**
     * The next whole minute from {@code t} ({@code t} itself if it is one): the stack keeps safe times to the minute,
     * so that the time it says and the time it acts are the same.
     */
    public static Instant minuteUp(Instant t) {
        Instant down = t.truncatedTo(ChronoUnit.MINUTES);
        return down.equals(t) ? down : down.plus(1, ChronoUnit.MINUTES);
    }

    static String list(List<String> items) {
        return String.join(", ", items);
    }

    private static String them(List<String> items) {
        return items.size() == 1 ? "it" : "them";
    }

    /** The move as stored in the stack's state: plain values, nulls left out. */
    public Map<String, Object> toPlain() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("asked", asked);
        m.put("phase", phase.text());
        put(m, "since", since);
        m.put("from", from);
        m.put("to", to);
        m.put("switch_mx", switchMx);
        put(m, "previous", previous);
        put(m, "safe_after", safeAfter);
        if (!early.isEmpty()) {
            m.put("early", early);
        }
        put(m, "early_since", earlySince);
        if (!oldRecords.isEmpty()) {
            m.put("old_records", oldRecords);
        }
        put(m, "note", note);
        put(m, "looked_at", lookedAt);
        if (!before.isEmpty()) {
            m.put("before", before);
        }
        return m;
    }

    /** A move as stored, or null when there is none (or it cannot be read). */
    public static MxMove of(Object stored) {
        if (!(stored instanceof Map<?, ?> m) || !(m.get("asked") instanceof String asked)) {
            return null;
        }
        Phase phase = m.get("phase") instanceof String s ? Phase.parse(s) : null;
        if (phase == null) {
            return null;
        }
        return new MxMove(asked, phase, instant(m.get("since")), strings(m.get("from")), strings(m.get("to")),
                Boolean.TRUE.equals(m.get("switch_mx")), m.get("previous") instanceof String p ? p : null,
                instant(m.get("safe_after")), strings(m.get("early")), instant(m.get("early_since")),
                strings(m.get("old_records")), m.get("note") instanceof String n ? n : null, instant(m.get("looked_at")),
                strings(m.get("before")));
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value instanceof Instant i ? i.toString() : value);
        }
    }

    static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object e : l) {
                if (e instanceof String s) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    static Instant instant(Object o) {
        try {
            return o instanceof String s ? Instant.parse(s) : null;
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
