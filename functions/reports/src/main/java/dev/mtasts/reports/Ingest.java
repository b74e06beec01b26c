package dev.mtasts.reports;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Quote;
import dev.mtasts.core.report.DateRange;
import dev.mtasts.core.report.ReportException;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.core.report.SesDkim;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.ReportStore;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

/**
 * The one way a report enters the system, whatever carried it (HTTPS, S3, the CLI): read it within limits, check
 * the sender's DKIM for e-mail, its dates (RFC 8460 §4.4, {@link DateRange}) and that the domain is ours, then store
 * it once. Its metrics and alert follow from
 * the table's stream ({@link ReportStreamHandler}), so they happen once per stored report, whatever becomes of the
 * answer to its sender.
 */
public final class Ingest {
    private final ReportReader reader;
    private final DomainStore domains;
    private final ReportStore reports;
    private final Metrics metrics;
    private final boolean requireDkim;
    private final Clock clock;

    public Ingest(ReportReader reader, DomainStore domains, ReportStore reports, Metrics metrics, boolean requireDkim,
            Clock clock) {
        this.reader = reader;
        this.domains = domains;
        this.reports = reports;
        this.metrics = metrics;
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
        try {
            return accept(reader.read(in, fileName), receiverDomain);
        } catch (ReportException e) {
            throw new Rejected(e.kind(), e.getMessage(), false);
        }
    }

    /**
     * Reads and checks the body of an HTTPS delivery (RFC 8460 §5.4): a report, gzip'd or not; an e-mail is
     * refused ({@link ReportException.Kind#UNSUPPORTED}).
     */
    public Accepted acceptBody(InputStream in, DomainName receiverDomain) throws Rejected {
        try {
            return accept(reader.readBody(in), receiverDomain);
        } catch (ReportException e) {
            throw new Rejected(e.kind(), e.getMessage(), false);
        }
    }

    private Accepted accept(ReportReader.Received received, DomainName receiverDomain) throws Rejected {
        if (received.email() != null && requireDkim) {
            Optional<String> problem = SesDkim.problem(received.email());
            if (problem.isPresent()) {
                throw new Rejected(ReportException.Kind.UNAUTHENTICATED, problem.get(), false);
            }
        }
        TlsReport report = received.report().attributedTo(receiverDomain == null ? null : receiverDomain.value());
        Optional<String> dates = DateRange.problem(report.start(), report.end(), clock.instant());
        if (dates.isPresent()) {
            throw new Rejected(ReportException.Kind.INVALID, dates.get(), false);
        }
        if (report.policies().isEmpty()) {
            // nothing to count, and hostile input must not fill the table
            throw new Rejected(ReportException.Kind.INVALID, "policies: empty, the report counts no sessions", false);
        }
        for (String domain : report.totalsByDomain().keySet()) {
            if (domain.equals(TlsReport.UNATTRIBUTED)) {
                continue; // kept, never dropped
            }
            if (!served(domain)) {
                throw new Rejected(ReportException.Kind.INVALID, "the report is for " + Quote.cut(domain, Quote.MAX)
                        + ", which has no MTA-STS row here", true);
            }
        }
        return new Accepted(report, received.format());
    }

    /**
     * Stores an accepted report whose original bytes are kept under {@code rawKey}.
     *
     * @param source the address a POSTed report came from, or null for one that came by e-mail, through the bucket
     *     or from the command line (see {@link ReportStore#MAX_DETAILED_PER_SOURCE})
     * @return whether it was stored now, and where the original of the report stored is kept (for a duplicate, the
     *     first delivery's)
     * @throws Rejected when DynamoDB refuses the report's items (not a passing failure: retrying cannot help)
     */
    public ReportStore.Stored record(Accepted accepted, String rawKey, String source) throws Rejected {
        try {
            return reports.store(accepted.report(), rawKey, clock.instant(), source);
        } catch (ReportStore.Refused e) {
            throw new Rejected(ReportException.Kind.INVALID, e.getMessage(), false);
        }
    }

    /**
     * Stores an accepted report and keeps its original bytes once: under {@link #rawKey}, written before the report
     * is counted (so a counted report always has its original), and removed again when the report turns out to be
     * kept already under another key (the same report gzip'd, or e-mailed). A padded or repeated delivery of a
     * report kept already leaves nothing new behind.
     */
    public ReportStore.Stored keepOnce(Accepted accepted, byte[] bytes, String contentType, RawStore raw, String prefix,
            String source) throws Rejected {
        String key = rawKey(prefix, accepted, bytes);
        raw.putIfAbsent(key, bytes, contentType, Map.of());
        ReportStore.Stored stored;
        try {
            stored = record(accepted, key, source);
        } catch (Rejected e) {
            raw.delete(key); // not counted, so not kept here: the handler keeps it with the reason, if it may
            throw e;
        }
        if (stored.outcome() == ReportStore.Outcome.DUPLICATE && stored.rawKey() != null && !stored.rawKey().equals(key)) {
            raw.delete(key);
        }
        return stored;
    }

    /**
     * Where a delivery's bytes are kept: under the report's day and identity, so every delivery of one report in one
     * format has the same key; named by what the bytes are, not by what the sender declared.
     */
    static String rawKey(String prefix, Accepted accepted, byte[] bytes) {
        LocalDate day = accepted.report().day();
        return prefix + (day == null ? "undated" : day.toString().replace('-', '/')) + "/" + accepted.report().identity()
                + extension(bytes);
    }

    /** A stored body's file extension, by what its bytes are (gzip's magic number or not), not by its label. */
    static String extension(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == 0x1f && (bytes[1] & 0xff) == 0x8b ? ".json.gz" : ".json";
    }

    /** Counts a rejected delivery (metric {@code ReportsRejected}). */
    public void rejected(String source, Rejected why) {
        metrics.rejected(source, why.getMessage());
    }

    /**
     * Domains found served within the last minute, so a run of reports for one domain costs one look-up, not one
     * each. Only found ones are kept (a sender cannot fill it), and a removed row stops taking reports a minute later.
     */
    private final Map<String, Instant> servedUntil = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
                    return size() > 1024;
                }
            });

    private boolean served(String domain) {
        Instant now = clock.instant();
        Instant until = servedUntil.get(domain);
        if (until != null && now.isBefore(until)) {
            return true;
        }
        boolean found;
        try {
            found = domains.find(DomainName.parse(domain)).isPresent();
        } catch (InvalidException e) {
            return false;
        }
        if (found) {
            servedUntil.put(domain, now.plus(SERVED_FOR));
        }
        return found;
    }

    private static final java.time.Duration SERVED_FOR = java.time.Duration.ofMinutes(1);
}
