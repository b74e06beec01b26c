package dev.mtasts.cli.pages;

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
 * (one scan, see {@link ReportHistory}) for everything else.
 */
public final class ReportPages {
    /** The last day a read asks for: later than any report can honestly be dated. */
    private static final LocalDate LAST = LocalDate.of(9999, 12, 31);

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
     * last {@link Window#DEFAULT_DAYS} days) to today, or to the last day reported if that is later.
     */
    public ReportPage page(Set<String> only, LocalDate since, boolean live) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate from = since != null ? since : today.minusDays(Window.DEFAULT_DAYS - 1);
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        for (Map<String, Object> item : domains.list()) {
            if (item.get(DomainRow.DOMAIN) instanceof String d && (only.isEmpty() || only.contains(d))) {
                rows.put(d, item);
            }
        }
        ReportHistory.History history = ReportHistory.read(reports, only, from, LAST);
        LocalDate last = history.days().stream().map(ReportStore.Day::date).max(Comparator.naturalOrder()).orElse(null);
        Window window = Window.of(since, today, last);
        Set<String> names = new TreeSet<>(Comparator.comparing((String d) -> d.equals(TlsReport.UNATTRIBUTED))
                .thenComparing(Comparator.naturalOrder()));
        if (only.isEmpty()) {
            names.addAll(rows.keySet());
            history.days().forEach(d -> names.add(d.domain()));
        } else {
            names.addAll(only);
        }
        List<DomainReport> figures = new ArrayList<>();
        for (String name : names) {
            figures.add(DomainReport.of(name, window, history.days(), history.reports(), rows.get(name)));
        }
        return new ReportPage(figures, window, clock.instant(), source, live);
    }
}
