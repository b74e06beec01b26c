package dev.mtasts.cli;

import dev.mtasts.core.InvalidException;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "reports", mixinStandardHelpOptions = true,
        description = "Sessions per domain and day from the stored TLS reports: ok, failed, failure types, reporters.")
final class ReportsCommand implements Callable<Integer> {
    @Option(names = "--domain", paramLabel = "DOMAIN", description = "Only this domain.")
    String domain;

    @Option(names = "--since", paramLabel = "YYYY-MM-DD", description = "Only days from this one on.")
    String since;

    @Option(names = "--json", description = "Print a JSON array of {domain, date, successful, failed, failures, reporters, "
            + "other_reporters}.")
    boolean json;

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
        String d = null;
        LocalDate from = null;
        try {
            d = domain == null ? null : Idna.domain(domain).value();
            from = since == null ? null : LocalDate.parse(since);
        } catch (InvalidException | DateTimeParseException e) {
            spec.commandLine().getErr().println("mta-sts: " + (e instanceof DateTimeParseException
                    ? "--since must be a date like 2026-11-01 (got \"" + since + "\")" : e.getMessage()));
            return Main.INVALID;
        }
        ReportStore store = new ReportStore(table.client(), reportsTable,
                java.time.Duration.ofDays(ReportStore.DEFAULT_TTL_DAYS));
        List<ReportStore.Day> days = store.days(d, from);
        if (json) {
            out.println(Json.write(days.stream().map(ReportsCommand::toJson).toList()));
        } else if (days.isEmpty()) {
            out.println("no reports" + (d == null ? "" : " for " + d) + (from == null ? "" : " since " + from));
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
