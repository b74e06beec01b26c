package dev.mtasts.pages;

import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.store.ReportHistory;
import dev.mtasts.store.ReportStore;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The figures behind one domain's part of the page, from what the tables hold: each day's summary for the sessions
 * and result types, the report items for MX hosts, sending IPs, reporters and the policies senders saw, and the
 * domain's row for its policy now.
 *
 * <p>A report may list the same sessions under several policy types (Microsoft: {@code tlsa} and {@code sts}); as
 * in the day's counts, a host or address then counts the largest number any one type gave it, not their sum.
 *
 * @param days every day of the window, oldest first, reported or not
 * @param resultTypes the result types of the window's failures, most failed sessions first
 * @param mxHosts receiving MX hosts named in failure details, most failed sessions first
 * @param sendingIps sending MTAs' addresses named in failure details, most failed sessions first
 * @param reporters the organisations whose reports count the domain, most sessions first
 * @param seen per reported day, the policy most sessions were checked against, as senders reported it
 * @param marks changes of policy, oldest first: what senders saw changed, and when the stack announced an id
 * @param detailsCut whether some report kept only its largest failure details (MX and IP figures leave the rest out)
 * @param undetailed reports counted in the days whose details were not kept (a day keeps those of at most
 *     {@link ReportStore#MAX_DETAILED}): the MX, IP, reporter and policy figures leave them out
 */
public record DomainReport(String domain, Window window, PolicyNow policy, List<Day> days, List<String> resultTypes,
        List<Ranked> mxHosts, List<Ranked> sendingIps, List<Reporter> reporters, List<Seen> seen, List<Mark> marks,
        boolean detailsCut, long undetailed) {

    /** What failure details name no host or address as. */
    public static final String NOT_NAMED = "(not named)";
    /**
     * Hosts, addresses and reporters a page tells apart; any more are summed under {@link #OTHERS}, so a page's
     * memory does not grow with what forged reports name.
     */
    static final int MAX_NAMES = 5_000;
    public static final String OTHERS = "(all others)";

    public DomainReport {
        days = List.copyOf(days);
        resultTypes = List.copyOf(resultTypes);
        mxHosts = List.copyOf(mxHosts);
        sendingIps = List.copyOf(sendingIps);
        reporters = List.copyOf(reporters);
        seen = List.copyOf(seen);
        marks = List.copyOf(marks);
    }

    /** One day: whether a report covers it, its sessions, failed sessions by result type, the reporters named. */
    public record Day(LocalDate date, boolean reported, long successful, long failed, Map<String, Long> failures,
            Set<String> reporters, long otherReporters) {
        public Day {
            failures = Map.copyOf(failures);
            reporters = Set.copyOf(reporters);
        }

        public long sessions() {
            return TlsReport.plus(successful, failed);
        }
    }

    /** A failing MX host or sending address: its failed sessions, the result type of most of them, when seen. */
    public record Ranked(String name, long failed, String mainType, LocalDate first, LocalDate last) {
    }

    /** An organisation whose reports count the domain. */
    public record Reporter(String name, long reports, long successful, long failed) {
    }

    /** The policy most of a day's sessions were checked against, as senders reported it. */
    public record Seen(LocalDate date, String mode, String id) {
    }

    /** A change of policy on the timeline, in plain words. */
    public record Mark(LocalDate date, String text) {
    }

    /**
     * The domain's row now.
     *
     * @param mode the row's policy mode, null when it holds no valid policy ({@code problem} says why)
     * @param announcedId the id published in {@code _mta-sts}, null when none is
     * @param readySince the day the stack last became ready with that id, null when it is not ready
     */
    public record PolicyNow(String mode, String id, String state, String detail, String announcedId,
            LocalDate readySince, String problem) {

        /** A domains table item as the stack keeps it. */
        public static PolicyNow of(Map<String, Object> item) {
            Policy policy = null;
            String problem = null;
            if (DomainRow.unseeded(item)) {
                problem = "no policy yet (it is seeded from the zone's MX hosts)";
            } else {
                try {
                    policy = DomainRow.parse(item).policy();
                } catch (InvalidException e) {
                    problem = "not a valid policy: " + e.problems().get(0).message();
                }
            }
            Lifecycle lc = Lifecycle.of(item);
            String state = "new";
            String detail = "the stack has not picked the domain up yet";
            String announced = null;
            LocalDate ready = null;
            if (lc != null) {
                Lifecycle.Status status = lc.status(policy, item.get(DomainRow.REMOVE_REQUESTED) != null);
                state = status.state();
                detail = status.detail();
                announced = lc.announced() == null ? null : lc.announced().id();
                if (lc.step() == Lifecycle.Step.READY && !lc.blocked() && lc.since() != null) {
                    ready = LocalDate.ofInstant(lc.since(), ZoneOffset.UTC);
                }
            }
            return new PolicyNow(policy == null ? null : policy.mode().text(), policy == null ? null : policy.id(),
                    state, detail, announced, ready, problem);
        }
    }

    public long successful() {
        return days.stream().mapToLong(Day::successful).reduce(0, TlsReport::plus);
    }

    public long failed() {
        return days.stream().mapToLong(Day::failed).reduce(0, TlsReport::plus);
    }

    public long sessions() {
        return TlsReport.plus(successful(), failed());
    }

    public long reports() {
        return reporters.stream().mapToLong(Reporter::reports).sum();
    }

    public int reportedDays() {
        return (int) days.stream().filter(Day::reported).count();
    }

    /** Failed sessions of one result type over the window. */
    public long failed(String resultType) {
        return days.stream().mapToLong(d -> d.failures().getOrDefault(resultType, 0L)).reduce(0, TlsReport::plus);
    }

    /**
     * The figures of {@code domain} over {@code window}, from lists (the page reads them one by one with a
     * {@link Builder}).
     *
     * @param summaries the domain's day summaries (others are ignored)
     * @param reports the domain's shares of reports
     * @param row the domain's item in the domains table, or null when it has none
     */
    public static DomainReport of(String domain, Window window, List<ReportStore.Day> summaries,
            List<ReportHistory.Report> reports, Map<String, Object> row) {
        Builder b = new Builder(domain, window, row);
        summaries.forEach(b::day);
        reports.forEach(b::report);
        return b.build();
    }

    /**
     * Sums a domain's days and report shares as they are read, one at a time: what it holds is bounded by the window
     * (a day each) and by {@link #MAX_NAMES}, whatever the tables hold.
     */
    public static final class Builder {
        private final String domain;
        private final Window window;
        private final Map<String, Object> row;
        private final Map<LocalDate, ReportStore.Day> byDate = new HashMap<>();
        private final Tally mx = new Tally();
        private final Tally ips = new Tally();
        private final Map<String, long[]> reporters = new TreeMap<>();
        private final Map<LocalDate, Map<List<String>, Long>> seenByDay = new TreeMap<>();
        private boolean cut;

        public Builder(String domain, Window window, Map<String, Object> row) {
            this.domain = domain;
            this.window = window;
            this.row = row;
        }

        /** A day summary of the domain (others, and days outside the window, are ignored). */
        public void day(ReportStore.Day d) {
            if (d.domain().equals(domain) && window.contains(d.date())) {
                byDate.put(d.date(), d);
            }
        }

        /** The domain's share of a report (those outside the window are ignored). */
        public void report(ReportHistory.Report r) {
            if (!window.contains(r.day())) {
                return;
            }
            String name = r.organization() == null ? "(unknown)" : r.organization();
            if (!reporters.containsKey(name) && reporters.size() >= MAX_NAMES) {
                name = OTHERS;
            }
            long[] rep = reporters.computeIfAbsent(name, k -> new long[3]);
            rep[0]++;
            rep[1] = TlsReport.plus(rep[1], r.counted().successful());
            rep[2] = TlsReport.plus(rep[2], r.counted().failed());
            // per policy type: (host, result type) -> failed sessions; then across types as the day's counts are
            Map<String, Map<List<String>, Long>> mxByType = new HashMap<>();
            Map<String, Map<List<String>, Long>> ipByType = new HashMap<>();
            for (ReportHistory.Entry e : r.entries()) {
                cut |= e.failuresOmitted() > 0;
                String type = String.valueOf(e.type());
                for (ReportHistory.Failure f : e.failures()) {
                    String result = f.resultType() == null ? "unknown" : f.resultType();
                    mxByType.computeIfAbsent(type, t -> new HashMap<>())
                            .merge(List.of(host(f.receivingMx()), result), f.count(), TlsReport::plus);
                    ipByType.computeIfAbsent(type, t -> new HashMap<>())
                            .merge(List.of(host(f.sendingIp()), result), f.count(), TlsReport::plus);
                }
                if (e.policyId() != null && e.mode() != null) {
                    Map<List<String>, Long> weights = seenByDay.computeIfAbsent(r.day(), d -> new HashMap<>());
                    if (weights.size() < MAX_NAMES || weights.containsKey(List.of(e.mode(), e.policyId()))) {
                        weights.merge(List.of(e.mode(), e.policyId()), TlsReport.plus(e.successful(), e.failed()),
                                TlsReport::plus);
                    }
                }
            }
            mx.add(TlsReport.acrossPolicyTypes(mxByType), r.day());
            ips.add(TlsReport.acrossPolicyTypes(ipByType), r.day());
        }

        public DomainReport build() {
            List<Day> days = new ArrayList<>();
            Map<String, Long> typeTotals = new HashMap<>();
            long undetailed = 0;
            for (LocalDate date : window.days()) {
                ReportStore.Day d = byDate.get(date);
                if (d == null) {
                    days.add(new Day(date, false, 0, 0, Map.of(), Set.of(), 0));
                } else {
                    days.add(new Day(date, true, d.successful(), d.failed(), d.failures(), d.reporters(), d.otherReporters()));
                    d.failures().forEach((t, n) -> typeTotals.merge(t, n, TlsReport::plus));
                    undetailed += d.undetailed();
                }
            }
            List<String> types = typeTotals.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .map(Map.Entry::getKey).toList();
            List<Reporter> reporterList = reporters.entrySet().stream()
                    .map(e -> new Reporter(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]))
                    .sorted(Comparator.comparingLong((Reporter x) -> TlsReport.plus(x.successful(), x.failed())).reversed()
                            .thenComparing(Reporter::name))
                    .toList();
            List<Seen> seen = new ArrayList<>();
            seenByDay.forEach((date, weights) -> {
                List<String> top = weights.entrySet().stream()
                        .max(Map.Entry.<List<String>, Long>comparingByValue()
                                .thenComparing(e -> e.getKey().get(1), Comparator.reverseOrder()))
                        .orElseThrow().getKey();
                seen.add(new Seen(date, top.get(0), top.get(1)));
            });
            PolicyNow now = row == null ? null : PolicyNow.of(row);
            return new DomainReport(domain, window, now, days, types, mx.ranked(), ips.ranked(), reporterList, seen,
                    marks(seen, now, window), cut, undetailed);
        }
    }

    /** The short form of a policy id on the page: its first 8 characters. */
    public static String shortId(String id) {
        return id == null ? "" : id.length() <= 8 ? id : id.substring(0, 8);
    }

    /** Where the policy senders saw changed from one reported day to the next, and when the stack announced one. */
    private static List<Mark> marks(List<Seen> seen, PolicyNow now, Window window) {
        List<Mark> marks = new ArrayList<>();
        Seen before = null;
        for (Seen s : seen) {
            if (before != null && !before.id().equals(s.id())) {
                String what = before.mode().equals(s.mode()) ? "a new " + s.mode() + " policy" : s.mode();
                marks.add(new Mark(s.date(), "senders saw " + what + ", id " + shortId(s.id())
                        + " (was " + before.mode() + ", " + shortId(before.id()) + ")"));
            }
            before = s;
        }
        if (now != null && now.announcedId() != null && now.readySince() != null && window.contains(now.readySince())) {
            marks.add(new Mark(now.readySince(), "the stack announced id " + shortId(now.announcedId())
                    + " in _mta-sts" + (now.announcedId().equals(now.id()) && now.mode() != null ? " (" + now.mode() + ")" : "")));
        }
        marks.sort(Comparator.comparing(Mark::date));
        return marks;
    }

    private static String host(String name) {
        if (name == null || name.isBlank()) {
            return NOT_NAMED;
        }
        String h = name.strip().toLowerCase(Locale.ROOT);
        return h.endsWith(".") && h.length() > 1 ? h.substring(0, h.length() - 1) : h;
    }

    /**
     * Failed sessions per (host, result type), over reports, with the first and last day each host was named on. At
     * most {@link #MAX_NAMES} hosts are told apart, the rest summed under {@link #OTHERS}.
     */
    private static final class Tally {
        private final Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        private final Map<String, LocalDate[]> days = new HashMap<>();

        void add(Map<List<String>, Long> report, LocalDate day) {
            report.forEach((k, n) -> {
                String name = counts.containsKey(k.get(0)) || counts.size() < MAX_NAMES ? k.get(0) : OTHERS;
                Map<String, Long> byType = counts.computeIfAbsent(name, h -> new TreeMap<>());
                byType.merge(byType.size() < MAX_TYPES || byType.containsKey(k.get(1)) ? k.get(1) : "other", n,
                        TlsReport::plus);
                LocalDate[] seen = days.computeIfAbsent(name, h -> new LocalDate[] {day, day});
                seen[0] = day.isBefore(seen[0]) ? day : seen[0];
                seen[1] = day.isAfter(seen[1]) ? day : seen[1];
            });
        }

        List<Ranked> ranked() {
            List<Ranked> out = new ArrayList<>();
            counts.forEach((name, byType) -> {
                long total = byType.values().stream().mapToLong(Long::longValue).reduce(0, TlsReport::plus);
                // the most failed sessions; of equal ones, the first by name
                String main = null;
                long most = -1;
                for (Map.Entry<String, Long> e : byType.entrySet()) {
                    if (e.getValue() > most) {
                        main = e.getKey();
                        most = e.getValue();
                    }
                }
                if (total > 0) {
                    out.add(new Ranked(name, total, main, days.get(name)[0], days.get(name)[1]));
                }
            });
            out.sort(Comparator.comparingLong(Ranked::failed).reversed().thenComparing(Ranked::name));
            return out;
        }
    }

    /** Result types told apart per host; a host that fails in more ways than this is failing for the rest too. */
    private static final int MAX_TYPES = 32;
}
