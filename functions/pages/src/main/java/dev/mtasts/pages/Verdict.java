package dev.mtasts.pages;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A domain's window in one line of plain words, the way a mail admin would sum it up:
 * {@code 3 reporters, 0.2% failed, all certificate-expired at mx2.example.com since 11-28}.
 */
public final class Verdict {
    /** A report more than this many days before the window's end means reports have stopped coming. */
    static final int QUIET_DAYS = 2;
    /** Days of reports without failures in {@code testing} after which the reports speak for {@code enforce}. */
    static final int DAYS_BEFORE_ENFORCE = 14;

    private Verdict() {
    }

    public static String of(DomainReport r) {
        Window w = r.window();
        if (r.reportedDays() == 0) {
            return "No reports from " + w.label(w.from()) + " to " + w.label(w.to());
        }
        List<String> parts = new ArrayList<>();
        parts.add(count(r.reporters().size(), "reporter"));
        long failed = r.failed();
        if (failed == 0) {
            parts.add("no failures in " + count(r.sessions(), "session"));
        } else {
            parts.add(percent(failed, r.sessions()) + " failed");
            parts.add(failures(r));
        }
        String line = String.join(", ", parts);
        LocalDate last = lastReported(r);
        if (last.isBefore(w.to().minusDays(QUIET_DAYS))) {
            line += "; no report since " + w.label(last);
        }
        return line;
    }

    /** What to do next, when the reports clearly say so; null otherwise. */
    public static String advice(DomainReport r) {
        if (r.policy() != null && "testing".equals(r.policy().mode()) && r.failed() == 0
                && r.reportedDays() >= DAYS_BEFORE_ENFORCE) {
            return "No failures in " + r.reportedDays() + " days of reports under testing: they speak for enforce"
                    + " (mta-sts domain put " + r.domain() + " --mode enforce …).";
        }
        return null;
    }

    /** {@code all certificate-expired at mx2.example.com since 11-28}, or as much of it as the figures tell. */
    private static String failures(DomainReport r) {
        List<String> types = r.resultTypes();
        if (types.isEmpty()) {
            return "result types not given";
        }
        String top = types.get(0);
        long topFailed = r.failed(top);
        long allTyped = types.stream().mapToLong(r::failed).sum();
        StringBuilder b = new StringBuilder();
        if (types.size() == 1) {
            b.append("all ").append(top);
        } else if (topFailed * 2 > allTyped) {
            b.append("mostly ").append(top);
        } else {
            b.append(top).append(" ").append(percent(topFailed, allTyped)).append(", ").append(types.get(1))
                    .append(" ").append(percent(r.failed(types.get(1)), allTyped));
            if (types.size() > 2) {
                b.append(" and ").append(count(types.size() - 2, "other type"));
            }
            return b.toString();
        }
        List<String> hosts = r.mxHosts().stream().filter(h -> top.equals(h.mainType()))
                .filter(h -> !h.name().equals(DomainReport.NOT_NAMED)).map(DomainReport.Ranked::name).toList();
        if (hosts.size() == 1) {
            b.append(" at ").append(hosts.get(0));
        } else if (hosts.size() == 2) {
            b.append(" at ").append(hosts.get(0)).append(" and ").append(hosts.get(1));
        } else if (hosts.size() > 2) {
            b.append(" at ").append(hosts.size()).append(" MX hosts");
        }
        b.append(" ").append(when(r, top));
        return b.toString();
    }

    /** {@code since 11-28} while it goes on, {@code on 11-20} for one day, {@code last on 11-22} once it stopped. */
    private static String when(DomainReport r, String type) {
        List<DomainReport.Day> reported = r.days().stream().filter(DomainReport.Day::reported).toList();
        int last = -1;
        for (int i = reported.size() - 1; i >= 0; i--) {
            if (reported.get(i).failures().getOrDefault(type, 0L) > 0) {
                last = i;
                break;
            }
        }
        int first = last;
        while (first > 0 && reported.get(first - 1).failures().getOrDefault(type, 0L) > 0) {
            first--;
        }
        long daysWith = reported.stream().filter(d -> d.failures().getOrDefault(type, 0L) > 0).count();
        Window w = r.window();
        if (daysWith == 1) {
            return "on " + w.label(reported.get(last).date());
        }
        if (last == reported.size() - 1) {
            return "since " + w.label(reported.get(first).date());
        }
        return "last on " + w.label(reported.get(last).date());
    }

    private static LocalDate lastReported(DomainReport r) {
        LocalDate last = null;
        for (DomainReport.Day d : r.days()) {
            if (d.reported()) {
                last = d.date();
            }
        }
        return last;
    }

    /** {@code 1 reporter}, {@code 1,200 sessions}. */
    public static String count(long n, String what) {
        return String.format(Locale.ROOT, "%,d", n) + " " + what + (n == 1 ? "" : "s");
    }

    /** {@code 0.2%}, {@code under 0.1%}, {@code 12%}, {@code 100%}: as precise as a glance needs. */
    public static String percent(long part, long whole) {
        if (whole <= 0 || part <= 0) {
            return "0%";
        }
        double p = part * 100.0 / whole;
        if (p < 0.1) {
            return "under 0.1%";
        }
        if (p >= 10 || part == whole) {
            return String.format(Locale.ROOT, "%d%%", part == whole ? 100 : Math.min(99, Math.round(p)));
        }
        String s = String.format(Locale.ROOT, "%.1f", p);
        return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "%";
    }
}
