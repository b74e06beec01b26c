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
import dev.mtasts.store.StoreUnavailableException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST https://mta-sts.<domain>/v1/tlsrpt} (RFC 8460 §5.4). There is no authentication, so the body is
 * treated as hostile: limited in size, parsed before anything is written, and accepted only for a domain this
 * stack serves. The original body is kept in the reports bucket under {@code https/}.
 */
public final class HttpReportHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>,
        org.crac.Resource {
    public static final String PATH = "/v1/tlsrpt";
    /** Seconds a sender is asked to wait after a 503; senders retry for up to a day (RFC 8460 §5.3). */
    static final String RETRY_AFTER_SECONDS = "60";
    static final Set<String> TYPES = Set.of("application/tlsrpt+gzip", "application/tlsrpt+json",
            "application/gzip", "application/json");

    private final Ingest ingest;
    private final RawStore raw;
    private final long maxBytes;
    private final Clock clock;

    /** Lambda entry point: clients built once per container. */
    public HttpReportHandler() {
        this(new Settings(System.getenv()));
    }

    private HttpReportHandler(Settings settings) {
        this(settings.ingest(), new S3RawStore(settings.s3(), settings.bucket()),
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
            ingest.accept(new ByteArrayInputStream(PRIMING_REPORT), null, null);
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

    public HttpReportHandler(Ingest ingest, RawStore raw, long maxBytes, Clock clock) {
        this.ingest = ingest;
        this.raw = raw;
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
        byte[] body = body(event);
        if (body.length > maxBytes) {
            ingest.rejected("https", new Ingest.Rejected(ReportException.Kind.TOO_LARGE, "too large", false));
            return text(413, "Too large: a report may be at most " + maxBytes + " bytes.\n");
        }
        DomainName receiver = receiverDomain(event);
        Ingest.Accepted accepted;
        try {
            accepted = ingest.accept(new ByteArrayInputStream(body), null, receiver);
        } catch (Ingest.Rejected e) {
            return rejected(e, body, mediaType, context);
        }
        String key = keep(body, mediaType, "https/", Map.of());
        ReportStore.Outcome outcome;
        try {
            outcome = ingest.record(accepted, key);
        } catch (Ingest.Rejected e) {
            return rejected(e, body, mediaType, context);
        }
        return outcome == ReportStore.Outcome.STORED
                ? text(201, "Stored.\n")
                : text(200, "Already received; counted once.\n");
    }

    /** A report not taken: counted, logged, its bytes kept with the reason when it is a bad report, and answered. */
    private APIGatewayV2HTTPResponse rejected(Ingest.Rejected e, byte[] body, String mediaType, Context context) {
        ingest.rejected("https", e);
        log(context, LogLevel.WARN, "report rejected (" + e.kind() + "): " + e.getMessage());
        int status = e.unknownDomain() ? 404 : e.kind() == ReportException.Kind.TOO_LARGE ? 413 : 400;
        if (status == 400) {
            keep(body, mediaType, "https/rejected/", Map.of("reason", ascii(e.getMessage())));
        }
        return text(status, (status == 404 ? "Not found: " : status == 413 ? "Too large: " : "Bad report: ")
                + Quote.cut(e.getMessage(), 300) + "\n");
    }

    /**
     * Content-addressed, so a retried delivery overwrites its own copy instead of adding one. Named by what the
     * bytes are, not by what the sender declared.
     */
    private String keep(byte[] body, String mediaType, String prefix, Map<String, String> metadata) {
        LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        String ext = body.length >= 2 && body[0] == 0x1f && (body[1] & 0xff) == 0x8b ? ".json.gz" : ".json";
        String key = prefix + day.toString().replace('-', '/') + "/" + Sha256.hex(body) + ext;
        raw.put(key, body, mediaType, metadata);
        return key;
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
