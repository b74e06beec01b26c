package dev.mtasts.local;

import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.reports.Ingest;
import dev.mtasts.reports.Metrics;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The reports function's ingest path, wired to the tables the CLI options name. */
public record LocalReports(DomainStore domains, ReportStore reports, Ingest ingest) {

    public static LocalReports of(DynamoDbClient client, String domainsTable, String reportsTable, Limits limits,
            boolean requireDkim, Consumer<String> metrics) {
        DomainStore domains = new DomainStore(client, domainsTable);
        ReportStore reports = new ReportStore(client, reportsTable, Duration.ofDays(ReportStore.DEFAULT_TTL_DAYS));
        Clock clock = Clock.systemUTC();
        Ingest ingest = new Ingest(new ReportReader(limits), domains, reports, new Metrics(metrics, clock),
                requireDkim, clock);
        return new LocalReports(domains, reports, ingest);
    }
}
