package dev.mtasts.reports;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.Quote;
import dev.mtasts.core.Sha256;
import dev.mtasts.core.report.ReportException;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.SourceAllowance;
import dev.mtasts.store.StoreUnavailableException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST https://mta-sts.<domain>/v1/tlsrpt} (RFC 8460 §5.4). There is no authentication, so the body is
 * treated as hostile: each source address has an allowance of reports an hour ({@link SourceAllowance}), counted
 * before anything of the body is read; the body is limited in size, must be a report (an e-mail is refused: its
 * headers would be the sender's own say), is parsed before anything is written, and is accepted only for a domain
 * this stack serves. The original body is kept once per report in the reports bucket under {@code https/}.
 */
public final class HttpReportHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>,
        org.crac.Resource {
    public static final String PATH = dev.mtasts.core.TlsRptRecord.REPORT_PATH;
    /** Seconds a sender is asked to wait after a 503; senders retry for up to a day (RFC 8460 §5.5). */
    static final String RETRY_AFTER_SECONDS = "60";
    static final Set<String> TYPES = Set.of("application/tlsrpt+gzip", "application/tlsrpt+json",
            "application/gzip", "application/json");

    private final Ingest ingest;
    private final RawStore raw;
    private final SourceAllowance allowance;
    private final long maxBytes;
    private final Clock clock;

    /** Lambda entry point: clients built once per container. */
    public HttpReportHandler() {
        this(new Settings(System.getenv()));
    }

    private HttpReportHandler(Settings settings) {
        this(settings.ingest(), new S3RawStore(settings.s3(), settings.bucket()), settings.allowance(),
                settings.limits().maxCompressedBytes(), Clock.systemUTC());
        org.crac.Core.getGlobalContext().register(this);
    }

    /** A small gzip'd report for a domain that is never served: read, checked against the table, rejected. */
    static final byte[] PRIMING_REPORT = gzip(("{\"organization-name\":\"priming\",\"date-range\":{\"start-datetime\":"
            + "\"2026-01-01T00:00:00Z\",\"end-datetime\":\"2026-01-01T23:59:59Z\"},\"report-id\":\"priming\","
            + "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"snapstart-priming.invalid\"},"
            + "\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":1},"
            + "\"failure-details\":[{\"result-type\":\"certificate-expired\",\"failed-session-count\":1}]}]}")
            .getBytes(StandardCharsets.UTF_8));

    /**
     * SnapStart: before the snapshot, take one report through reading, gzip, JSON and the domain check (one
     * DynamoDB call), so the first real delivery after a restore finds those classes loaded.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> context) {
        try {
            ingest.acceptBody(new ByteArrayInputStream(PRIMING_REPORT), null);
        } catch (Ingest.Rejected expected) {
            // the priming domain has no row: the path up to the store is what was wanted
        }
    }

    @Override
    public void afterRestore(org.crac.Context<? extends org.crac.Resource> context) {
    }

    private static byte[] gzip(byte[] data) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(data);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public HttpReportHandler(Ingest ingest, RawStore raw, SourceAllowance allowance, long maxBytes, Clock clock) {
        this.ingest = ingest;
        this.raw = raw;
        this.allowance = allowance;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try {
            return respond(event, context);
        } catch (StoreUnavailableException | software.amazon.awssdk.core.exception.SdkException e) {
            log(context, LogLevel.ERROR, "cannot store the report now: " + e.getMessage());
            APIGatewayV2HTTPResponse r = text(503, "Service unavailable, try again later.\n");
            r.getHeaders().put("Retry-After", RETRY_AFTER_SECONDS);
            return r;
        } catch (RuntimeException | Error e) {
            // an Error too: a sender's input must never take the function down with it
            log(context, LogLevel.ERROR, "unexpected error: " + e);
            return text(500, "Internal error.\n");
        }
    }

    private APIGatewayV2HTTPResponse respond(APIGatewayV2HTTPEvent event, Context context) {
        String method = event.getRequestContext() != null && event.getRequestContext().getHttp() != null
                ? event.getRequestContext().getHttp().getMethod() : "";
        if (!"POST".equalsIgnoreCase(method)) {
            APIGatewayV2HTTPResponse r = text(405, "Method not allowed: POST a TLS report (RFC 8460) here.\n");
            r.getHeaders().put("Allow", "POST");
            return r;
        }
        String type = header(event, "content-type");
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!TYPES.contains(mediaType)) {
            return text(415, "Unsupported media type " + (type == null ? "(none)" : Quote.of(mediaType))
                    + ": use application/tlsrpt+gzip or application/tlsrpt+json.\n");
        }
        String source = event.getRequestContext() == null || event.getRequestContext().getHttp() == null ? null
                : event.getRequestContext().getHttp().getSourceIp();
        Instant now = clock.instant();
        if (!allowance.take(source, now)) {
            log(context, LogLevel.WARN, "report refused: " + Quote.cut(String.valueOf(source), 64) + " sent "
                    + allowance.perHour() + " this hour");
            APIGatewayV2HTTPResponse r = text(429, "Too many reports from your address this hour (at most "
                    + allowance.perHour() + "); try again later.\n");
            r.getHeaders().put("Retry-After", Long.toString(Math.max(1, SourceAllowance.untilNextHour(now).toSeconds())));
            return r;
        }
        byte[] body = body(event);
        if (body.length > maxBytes) {
            ingest.rejected("https", new Ingest.Rejected(ReportException.Kind.TOO_LARGE, "too large", false));
            return text(413, "Too large: a report may be at most " + maxBytes + " bytes.\n");
        }
        DomainName receiver = receiverDomain(event);
        ReportStore.Stored stored;
        try {
            Ingest.Accepted accepted = ingest.acceptBody(new ByteArrayInputStream(body), receiver);
            stored = ingest.keepOnce(accepted, body, mediaType, raw, "https/", SourceAllowance.sourceKey(source));
        } catch (Ingest.Rejected e) {
            return rejected(e, body, mediaType, source, context);
        }
        return stored.outcome() == ReportStore.Outcome.STORED
                ? text(201, "Stored.\n")
                : text(200, "Already received; counted once.\n");
    }

    /**
     * A report not taken: counted, logged, answered, and its bytes kept with the reason when it is a bad report (the
     * first {@link SourceAllowance#REFUSED_KEPT_PER_HOUR} of a source's hour: a real sender's broken report is kept
     * to look at, a flood of bad ones is not kept for a month).
     */
    private APIGatewayV2HTTPResponse rejected(Ingest.Rejected e, byte[] body, String mediaType, String source,
            Context context) {
        ingest.rejected("https", e);
        log(context, LogLevel.WARN, "report rejected (" + e.kind() + "): " + e.getMessage());
        int status = e.unknownDomain() ? 404 : switch (e.kind()) {
            case TOO_LARGE -> 413;
            case UNSUPPORTED -> 415;
            default -> 400;
        };
        if (status == 400 && allowance.keepRefused(source, clock.instant())) {
            keepRejected(body, mediaType, Map.of("reason", ascii(e.getMessage())));
        }
        return text(status, (status == 404 ? "Not found: " : status == 413 ? "Too large: "
                : status == 415 ? "Unsupported: " : "Bad report: ") + Quote.cut(e.getMessage(), 300) + "\n");
    }

    /**
     * A refused body, with the reason: content-addressed, so a retried delivery finds its own copy instead of
     * adding one. Named by what the bytes are, not by what the sender declared.
     */
    private void keepRejected(byte[] body, String mediaType, Map<String, String> metadata) {
        LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        raw.putIfAbsent("https/rejected/" + day.toString().replace('-', '/') + "/" + Sha256.hex(body)
                + Ingest.extension(body), body, mediaType, metadata);
    }

    private static DomainName receiverDomain(APIGatewayV2HTTPEvent event) {
        String host = header(event, "host");
        if (host == null && event.getRequestContext() != null) {
            host = event.getRequestContext().getDomainName();
        }
        return DomainName.ofPolicyHost(host).orElse(null);
    }

    private static byte[] body(APIGatewayV2HTTPEvent event) {
        String b = event.getBody();
        if (b == null) {
            return new byte[0];
        }
        return event.getIsBase64Encoded() ? Base64.getDecoder().decode(b) : b.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(APIGatewayV2HTTPEvent event, String name) {
        if (event.getHeaders() == null) {
            return null;
        }
        for (Map.Entry<String, String> h : event.getHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** S3 metadata travels in HTTP headers: printable ASCII, kept short. */
    static String ascii(String s) {
        String a = s.replaceAll("[^\\x20-\\x7e]", "?");
        return a.length() <= 1024 ? a : a.substring(0, 1021) + "...";
    }

    private static APIGatewayV2HTTPResponse text(int status, String body) {
        APIGatewayV2HTTPResponse r = new APIGatewayV2HTTPResponse();
        r.setStatusCode(status);
        r.setHeaders(new LinkedHashMap<>(Map.of("Content-Type", "text/plain; charset=utf-8")));
        r.setBody(body);
        r.setIsBase64Encoded(false);
        return r;
    }

}
