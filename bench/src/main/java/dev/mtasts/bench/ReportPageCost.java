package dev.mtasts.bench;

import dev.mtasts.pages.Demo;
import dev.mtasts.core.report.FailureDetail;
import dev.mtasts.core.report.PolicyResult;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the reports page costs as the reports table fills, run as users run it: {@code mta-sts reports --html} in a
 * JVM of its own against DynamoDB Local, timed whole, with its peak RSS (GNU time). Three tables:
 * <ol>
 *   <li>(a) the demo month: three domains, 30 days, a hundred or so reports from four senders;</li>
 *   <li>(b) the same plus 2,000 forged reports for example.com in the window, each with 20 failure details naming
 *       new MX hosts and addresses, long strings and a new organisation;</li>
 *   <li>(c) the same plus 100,000 reports stored outside the window (the year before it, three domains).</li>
 * </ol>
 * Targets: (b) under 5 s and 256 MB; (c) no more than 20% slower than (a). Usage:
 * {@code ReportPageCost CLI_JAR [RUNS]}.
 */
public final class ReportPageCost {
    private ReportPageCost() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (LocalDynamoDb dynamo = LocalDynamoDb.start();
                DynamoDbClient client = Dynamo.create(dynamo.endpoint(), null)) {
            String endpoint = dynamo.endpoint().toString();
            // two copies of the demo month: one takes the 100,000 reports outside the window, the other the forged ones
            ReportStore month = tables(client, "a", today);
            ReportStore forgedMonth = tables(client, "b", today);

            System.out.printf("The reports page, mta-sts reports --html, a JVM of its own against DynamoDB Local; "
                    + "median of %d runs (JVM %s)%n%n", runs, System.getProperty("java.vm.version"));
            System.out.println("| the tables hold | page | time | peak RSS | target |");
            System.out.println("|---|---|---|---|---|");
            Run a = measure(jar, endpoint, "a", runs);
            row("(a) the demo month", a, "");

            long t0 = System.nanoTime();
            store(forgedMonth, 2_000, i -> forged(i, today.minusDays(1 + i % 29)));
            System.err.printf("stored 2,000 forged reports in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Run b = measure(jar, endpoint, "b", runs);
            row("(b) the demo month + 2,000 forged reports in the window", b, "< 5 s and < 256 MB: "
                    + (b.seconds() < 5 && b.rssMb() < 256 ? "met" : "missed"));

            t0 = System.nanoTime();
            String[] names = {"example.com", "example.org", "retired.example"};
            store(month, 100_000, i -> outside(i, names[i % 3], today.minusDays(40 + i % 340)));
            System.err.printf("stored 100,000 reports outside the window in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Run c = measure(jar, endpoint, "a", runs);
            double ratio = c.seconds() / a.seconds();
            row("(c) the demo month + 100,000 reports outside the window", c, String.format(java.util.Locale.ROOT,
                    "(c)/(a) %.2f <= 1.20: %s", ratio, ratio <= 1.2 ? "met" : "missed"));
        }
        // DynamoDB Local leaves a non-daemon worker behind that would keep this JVM for minutes
        System.exit(0);
    }

    record Run(double seconds, double rssMb, int kb) {
    }

    /** A domains and a reports table holding the demo month, ending yesterday. */
    static ReportStore tables(DynamoDbClient client, String prefix, LocalDate today) throws Exception {
        DomainStore domains = new DomainStore(client, prefix + "-domains");
        ReportStore reports = new ReportStore(client, prefix + "-reports", Duration.ofDays(400));
        domains.createTable();
        reports.createTable();
        Demo.load(domains, reports, today.minusDays(1));
        return reports;
    }

    static void row(String what, Run r, String target) {
        System.out.printf(java.util.Locale.ROOT, "| %s | %,d KB | %.2f s | %.0f MB | %s |%n", what, r.kb(), r.seconds(),
                r.rssMb(), target);
    }

    /** The median run of the command, by time; its RSS is the largest of the runs. */
    static Run measure(Path jar, String endpoint, String tables, int runs) throws IOException, InterruptedException {
        List<double[]> results = new ArrayList<>();
        Path page = Files.createTempFile("page", ".html");
        Path times = Files.createTempFile("time", ".txt");
        for (int i = 0; i < runs; i++) {
            Process p = new ProcessBuilder("/usr/bin/time", "-f", "%e %M", "-o", times.toString(), "java", "-jar",
                    jar.toString(), "reports", "--html", page.toString(), "--endpoint-url", endpoint,
                    "--table", tables + "-domains", "--reports-table", tables + "-reports")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("mta-sts reports --html failed: " + out);
            }
            String[] t = Files.readString(times).strip().split(" ");
            results.add(new double[] {Double.parseDouble(t[0]), Long.parseLong(t[1]) / 1024.0});
        }
        results.sort((x, y) -> Double.compare(x[0], y[0]));
        double rss = results.stream().mapToDouble(r -> r[1]).max().orElse(0);
        int kb = (int) ((Files.size(page) + 1023) / 1024);
        return new Run(results.get(results.size() / 2)[0], rss, kb);
    }

    interface Report {
        TlsReport make(int i);
    }

    /** Stores reports on 8 threads, as the reports function would, one transaction each. */
    static void store(ReportStore reports, int n, Report make) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger next = new AtomicInteger();
        Instant received = Instant.now();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    // POSTed from 250 addresses, as a forger with many would
                    reports.store(make.make(i), "bench/" + i, received, "198.51.100." + (i % 250));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    /** What a forger POSTs: a new organisation, 20 new MX hosts and addresses, long strings. */
    static TlsReport forged(int i, LocalDate day) {
        List<FailureDetail> details = new ArrayList<>();
        for (int d = 0; d < 20; d++) {
            details.add(new FailureDetail(d % 2 == 0 ? "certificate-expired" : "forged-type-" + (i % 50),
                    "203.0." + (i % 250) + "." + d, "mx-" + i + "-" + d + ".forged.example", null, "198.51.100." + d,
                    1L, null, "x".repeat(200), Map.of()));
        }
        return new TlsReport("Forger " + i + " " + "o".repeat(200), "forged-" + i, day.atStartOfDay(ZoneOffset.UTC).toInstant(),
                day.atTime(23, 59, 59).toInstant(ZoneOffset.UTC), null,
                List.of(new PolicyResult("sts", List.of(), "example.com", List.of(), 1, 20, details, Map.of())), null,
                Map.of());
    }

    /** A real-shaped report of a day before the window. */
    static TlsReport outside(int i, String domain, LocalDate day) {
        List<FailureDetail> details = i % 4 != 0 ? List.of() : List.of(new FailureDetail("starttls-not-supported",
                "203.0.113." + (i % 200), "mx2." + domain, null, "192.0.2.25", 3L, null, null, Map.of()));
        return new TlsReport("Sender " + (i % 40), "old-" + i, day.atStartOfDay(ZoneOffset.UTC).toInstant(),
                day.atTime(23, 59, 59).toInstant(ZoneOffset.UTC), null,
                List.of(new PolicyResult("sts", List.of(), domain, List.of(), 100 + i % 900, details.isEmpty() ? 0 : 3,
                        details, Map.of())), null, Map.of());
    }
}
