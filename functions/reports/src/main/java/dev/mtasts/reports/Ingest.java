package dev.mtasts.reports;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.report.ReportException;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.core.report.SesDkim;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.ReportStore;
import java.io.InputStream;
import java.time.Clock;
import java.util.Optional;

/**
 * The one way a report enters the system, whatever carried it (HTTPS, S3, the CLI): read it within limits, check
 * the sender's DKIM for e-mail, check that the domain is ours, then store it once and report on it.
 */
public final class Ingest {
    private final ReportReader reader;
    private final DomainStore domains;
    private final ReportStore reports;
    private final Metrics metrics;
    private final Alerts alerts;
    private final boolean requireDkim;
    private final Clock clock;

    public Ingest(ReportReader reader, DomainStore domains, ReportStore reports, Metrics metrics, Alerts alerts,
            boolean requireDkim, Clock clock) {
        this.reader = reader;
        this.domains = domains;
        this.reports = reports;
        this.metrics = metrics;
        this.alerts = alerts;
        this.requireDkim = requireDkim;
        this.clock = clock;
    }

    /** Why a delivery was not taken, in one line, and how to answer it. */
    public static final class Rejected extends Exception {
        private final ReportException.Kind kind;
        private final boolean unknownDomain;

        Rejected(ReportException.Kind kind, String message, boolean unknownDomain) {
            super(message, null, false, false);
            this.kind = kind;
            this.unknownDomain = unknownDomain;
        }

        public ReportException.Kind kind() {
            return kind;
        }

        /** The report is fine but names a domain this stack does not serve. */
        public boolean unknownDomain() {
            return unknownDomain;
        }
    }

    /** A report that passed every check and can be stored. */
    public record Accepted(TlsReport report, String format) {
    }

    /**
     * Reads and checks a delivery.
     *
     * @param fileName the S3 key or file name it came under, for attribution; may be null
     * @param receiverDomain the domain whose endpoint received it (HTTPS), attributed to reports naming none; a
     *     report for any domain served here is accepted on any domain's endpoint
     */
    public Accepted accept(InputStream in, String fileName, DomainName receiverDomain) throws Rejected {
        ReportReader.Received received;
        try {
            received = reader.read(in, fileName);
        } catch (ReportException e) {
            throw new Rejected(e.kind(), e.getMessage(), false);
        }
        if (received.email() != null && requireDkim) {
            Optional<String> problem = SesDkim.problem(received.email());
            if (problem.isPresent()) {
                throw new Rejected(ReportException.Kind.UNAUTHENTICATED, problem.get(), false);
            }
        }
        TlsReport report = received.report().attributedTo(receiverDomain == null ? null : receiverDomain.value());
        if (report.policies().isEmpty()) {
            // nothing to count, and hostile input must not fill the table
            throw new Rejected(ReportException.Kind.INVALID, "policies: empty, the report counts no sessions", false);
        }
        for (String domain : report.totalsByDomain().keySet()) {
            if (domain.equals(TlsReport.UNATTRIBUTED)) {
                continue; // kept, never dropped
            }
            if (!served(domain)) {
                throw new Rejected(ReportException.Kind.INVALID, "the report is for " + domain
                        + ", which has no MTA-STS row here", true);
            }
        }
        return new Accepted(report, received.format());
    }

    /**
     * Stores an accepted report whose original bytes are kept under {@code rawKey}.
     *
     * @throws Rejected when DynamoDB refuses the report itself (not a passing failure: retrying cannot help)
     */
    public ReportStore.Outcome record(Accepted accepted, String rawKey) throws Rejected {
        ReportStore.Outcome outcome;
        try {
            outcome = reports.store(accepted.report(), rawKey, clock.instant());
        } catch (software.amazon.awssdk.services.dynamodb.model.DynamoDbException | IllegalArgumentException e) {
            throw new Rejected(ReportException.Kind.INVALID, "cannot be stored: " + e.getMessage(), false);
        }
        if (outcome == ReportStore.Outcome.STORED) {
            metrics.stored(accepted.report());
            alerts.onStored(accepted.report());
        }
        return outcome;
    }

    /** Counts a rejected delivery (metric {@code ReportsRejected}). */
    public void rejected(String source, Rejected why) {
        metrics.rejected(source, why.getMessage());
    }

    private boolean served(String domain) {
        try {
            return domains.find(DomainName.parse(domain)).isPresent();
        } catch (InvalidException e) {
            return false;
        }
    }
}
