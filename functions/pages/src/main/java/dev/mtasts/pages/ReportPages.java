package dev.mtasts.pages;

import dev.mtasts.core.DomainRow;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.ReportHistory;
import dev.mtasts.store.ReportStore;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The page, read from the tables each time: the domains table for the domains and their policies, the reports table
 * for everything else, a query of each domain's days and one of its reports in the window ({@link ReportHistory}):
 * what the page costs grows with the days and domains it shows, not with what else the table holds.
 */
public final class ReportPages {
    private final DomainStore domains;
    private final ReportStore reports;
    private final Clock clock;
    private final String source;

    /** @param source where the tables are, in plain words, for the page's header */
    public ReportPages(DomainStore domains, ReportStore reports, Clock clock, String source) {
        this.domains = domains;
        this.reports = reports;
        this.clock = clock;
        this.source = source;
    }

    /**
     * The page of the given domains (every domain with a row or reports when empty), from {@code since} (null: the
     * last {@link Window#DEFAULT_DAYS} days) to today, or to tomorrow when a report is dated then.
     *
     * @throws Window.OutOfReach when {@code since} is further back than {@link Window#MAX_DAYS} days, or after
     *     today (the message says so in one line)
     */
    public ReportPage page(Set<String> only, LocalDate since, boolean live) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Window window = Window.of(since, today);
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        for (Map<String, Object> item : domains.list()) {
            if (item.get(DomainRow.DOMAIN) instanceof String d && (only.isEmpty() || only.contains(d))) {
                rows.put(d, item);
            }
        }
        Set<String> names = new TreeSet<>(Comparator.comparing((String d) -> d.equals(TlsReport.UNATTRIBUTED))
                .thenComparing(Comparator.naturalOrder()));
        if (only.isEmpty()) {
            names.addAll(rows.keySet());
            names.addAll(reports.reportedDomains());
        } else {
            names.addAll(only);
        }
        // the days first (one item a day at most): a report may be dated tomorrow, and the window takes it in
        LocalDate tomorrow = today.plusDays(1);
        Map<String, List<ReportStore.Day>> days = new TreeMap<>();
        for (String name : names) {
            List<ReportStore.Day> d = reports.days(name, window.from(), tomorrow);
            days.put(name, d);
            if (d.stream().anyMatch(x -> x.date().equals(tomorrow))) {
                window = window.through(tomorrow);
            }
        }
        List<DomainReport> figures = new ArrayList<>();
        for (String name : names) {
            DomainReport.Builder b = new DomainReport.Builder(name, window, rows.get(name));
            days.get(name).forEach(b::day);
            ReportHistory.reports(reports, name, window.from(), window.to(), b::report);
            figures.add(b.build());
        }
        return new ReportPage(figures, window, clock.instant(), source, live);
    }
}
