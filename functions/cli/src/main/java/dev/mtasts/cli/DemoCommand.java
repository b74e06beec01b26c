package dev.mtasts.cli;

import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportException;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.pages.Demo;
import dev.mtasts.pages.Window;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Write a month of TLS reports for the sample domains of infra/local/domains.json, as four "
                + "senders write them, to store with report ingest and look at with reports and the reports page: "
                + "example.com going from testing to enforce, a certificate that expired at one of its MX hosts, "
                + "an MX host of example.org without STARTTLS now and then, a day no sender reported.",
            "The days are the " + (Window.DEFAULT_DAYS - 1) + " before today, the days of the page's default window "
                    + "that are over (senders report a day once it has ended)."})
final class DemoCommand implements Callable<Integer> {
    /** The days written: the days of the page's default window but today. */
    static final int DAYS = Window.DEFAULT_DAYS - 1;

    @Parameters(paramLabel = "DIR", description = "Folder to write the report files to (made if missing).")
    Path dir;

    @Option(names = "--end", paramLabel = "YYYY-MM-DD", description = "The last day reported (default: yesterday, UTC).")
    String end;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        LocalDate today = LocalDate.now(Clock.systemUTC());
        LocalDate last;
        try {
            last = end == null ? today.minusDays(1) : LocalDate.parse(end);
        } catch (DateTimeParseException e) {
            spec.commandLine().getErr().println("mta-sts: --end must be a date like " + today.minusDays(1) + " (got \""
                    + end + "\")");
            return Main.INVALID;
        }
        if (last.isAfter(today)) {
            spec.commandLine().getErr().println("mta-sts: --end " + last + " is after today: report ingest refuses "
                    + "reports of days to come");
            return Main.INVALID;
        }
        Map<String, String> reports = Demo.reports(last, DAYS);
        Set<String> domains = new TreeSet<>();
        Set<String> senders = new TreeSet<>();
        ReportReader reader = new ReportReader(Limits.DEFAULT);
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> r : reports.entrySet()) {
                byte[] bytes = r.getValue().getBytes(StandardCharsets.UTF_8);
                TlsReport report = reader.read(new ByteArrayInputStream(bytes), r.getKey()).report();
                domains.addAll(report.totalsByDomain().keySet());
                senders.add(report.organization());
                Files.write(dir.resolve(r.getKey()), bytes);
            }
        } catch (FileSystemException e) {
            spec.commandLine().getErr().println("mta-sts: " + dir + ": " + (e instanceof AccessDeniedException
                    ? "permission denied" : e.getReason() != null ? e.getReason() : e.getMessage()));
            return Main.ERROR;
        } catch (IOException | ReportException e) {
            spec.commandLine().getErr().println("mta-sts: " + dir + ": " + e.getMessage());
            return Main.ERROR;
        }
        out.printf("%s: %,d reports of %s to %s for %s, by %s%n", dir, reports.size(), last.minusDays(DAYS - 1), last,
                String.join(" and ", domains), String.join(", ", senders));
        out.printf("Store them in the local stack: mta-sts report ingest %s --endpoint-url http://127.0.0.1:8000%n",
                dir.resolve("*"));
        out.flush();
        return Main.OK;
    }
}
