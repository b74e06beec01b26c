package dev.mtasts.cli;

import dev.mtasts.pages.DomainReport;
import dev.mtasts.pages.ReportPage;
import dev.mtasts.pages.ReportPages;
import dev.mtasts.pages.Verdict;
import dev.mtasts.pages.Window;
import dev.mtasts.core.InvalidException;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "reports", mixinStandardHelpOptions = true,
        description = {"Sessions per domain and day from the stored TLS reports: ok, failed, failure types, reporters.",
            "With --html, a page of charts of them to open in a browser, print or mail."})
final class ReportsCommand implements Callable<Integer> {
    @Option(names = "--domain", paramLabel = "DOMAIN", description = "Only this domain (repeat for more).")
    List<String> domains = List.of();

    @Option(names = "--since", paramLabel = "YYYY-MM-DD", description = "Days from this one on (default: the last "
            + Window.DEFAULT_DAYS + " days; at most " + Window.MAX_DAYS + " days back).")
    String since;

    @Option(names = "--json", description = "Print a JSON array of {domain, date, successful, failed, failures, reporters, "
            + "other_reporters}.")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = {"Write one self-contained HTML page (charts, no "
            + "scripts, nothing loaded from the network) to FILE, or - for standard output: per domain sessions and "
            + "failures per day, failing MX hosts, sending IPs, reporters, policy changes and a verdict.",
        "Covers --since (default: the last " + Window.DEFAULT_DAYS + " days) to today."})
    Path html;

    @Option(names = "--reports-table", paramLabel = "NAME", defaultValue = ReportStore.DEFAULT_TABLE,
            description = "Reports table (default: ${DEFAULT-VALUE}).")
    String reportsTable;

    @Mixin
    TableOptions table;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Set<String> only = new LinkedHashSet<>();
        LocalDate from;
        try {
            for (String domain : domains) {
                only.add(Idna.domain(domain).value());
            }
            from = since == null ? null : LocalDate.parse(since);
        } catch (InvalidException | DateTimeParseException e) {
            spec.commandLine().getErr().println("mta-sts: " + (e instanceof DateTimeParseException
                    ? "--since must be a date like 2026-11-01 (got \"" + since + "\")" : e.getMessage()));
            return Main.INVALID;
        }
        if (html != null && json) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--html and --json: choose one");
        }
        LocalDate today = LocalDate.now(Clock.systemUTC());
        Window window;
        try {
            window = Window.of(from, today);
        } catch (Window.OutOfReach e) {
            spec.commandLine().getErr().println("mta-sts: --since " + e.getMessage());
            return Main.INVALID;
        }
        ReportStore store = new ReportStore(table.client(), reportsTable,
                java.time.Duration.ofDays(ReportStore.DEFAULT_TTL_DAYS));
        if (html != null) {
            return page(store, only, from, out);
        }
        Set<String> names = new TreeSet<>(only);
        if (only.isEmpty()) {
            table.open().list().forEach(row -> {
                if (row.get(dev.mtasts.core.DomainRow.DOMAIN) instanceof String name) {
                    names.add(name);
                }
            });
            names.addAll(store.reportedDomains());
        }
        List<ReportStore.Day> days = new ArrayList<>();
        // a report may be dated up to a day ahead: tomorrow is shown when one is
        names.forEach(name -> days.addAll(store.days(name, window.from(), today.plusDays(1))));
        String d = only.size() == 1 ? only.iterator().next() : null;
        if (json) {
            out.println(Json.write(days.stream().map(ReportsCommand::toJson).toList()));
        } else if (days.isEmpty()) {
            out.println("no reports" + (d == null ? "" : " for " + d) + " since " + window.from());
        } else {
            int width = Math.max(6, days.stream().mapToInt(x -> x.domain().length()).max().orElse(6));
            out.printf("%-" + width + "s  %-10s  %10s  %8s  %s%n", "domain", "date", "ok", "failed", "failures / reporters");
            for (ReportStore.Day x : days) {
                String failures = x.failures().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "));
                String reporters = String.join(", ", x.reporters()) + (x.otherReporters() == 0 ? ""
                        : " and " + x.otherReporters() + " reports by others");
                out.printf("%-" + width + "s  %-10s  %,10d  %,8d  %s%s%n", x.domain(), x.date(), x.successful(), x.failed(),
                        failures.isEmpty() ? "" : failures + " / ", reporters);
            }
        }
        out.flush();
        return Main.OK;
    }

    /** {@code --html}: the page, to a file (saying what it holds) or to standard output. */
    private int page(ReportStore store, Set<String> only, LocalDate from, PrintWriter out) {
        String where = (table.endpoint == null ? "AWS" + (table.region == null ? "" : " " + table.region)
                : table.endpoint.toString()) + ", tables " + table.table + " and " + reportsTable;
        ReportPage page = new ReportPages(table.open(), store, Clock.systemUTC(), where).page(only, from, false);
        String text = page.html();
        if (html.toString().equals("-")) {
            out.print(text);
        } else {
            try {
                Files.writeString(html, text);
            } catch (IOException e) {
                spec.commandLine().getErr().println("mta-sts: " + html + ": " + (e instanceof NoSuchFileException
                        ? "no such directory" : e instanceof AccessDeniedException ? "permission denied"
                        : e.getMessage()));
                return Main.ERROR;
            }
            long reports = page.domains().stream().mapToLong(DomainReport::reports).sum();
            out.printf("%s: %s, %s to %s, %s (%,d KB)%n", html, Verdict.count(page.domains().size(), "domain"),
                    page.window().from(), page.window().to(), Verdict.count(reports, "report"),
                    (text.getBytes(StandardCharsets.UTF_8).length + 1023) / 1024);
        }
        out.flush();
        return Main.OK;
    }

    private static Map<String, Object> toJson(ReportStore.Day d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domain", d.domain());
        m.put("date", d.date().toString());
        m.put("successful", d.successful());
        m.put("failed", d.failed());
        m.put("failures", d.failures());
        m.put("reporters", List.copyOf(d.reporters()));
        m.put("other_reporters", d.otherReporters());
        return m;
    }
}
