package dev.mtasts.dns;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code Custom::MtaStsDomain} resources of template.yaml, two per mail domain.
 * <ul>
 *   <li>{@code Stage: setup}: Create and Update find the domain's hosted zone (or take {@code HostedZoneId}) and
 *       seed a safe row when there is none; they return {@code HostedZoneId} for the certificate and records.</li>
 *   <li>{@code Stage: announce}, created after the policy host's records: Create and Update publish
 *       {@code _mta-sts}; Delete, which CloudFormation runs before the host goes, removes it (RFC 8461 §8.1: the
 *       id never points at a host that does not serve the policy).</li>
 * </ul>
 * CloudFormation is always answered, failures and time-outs included, so a stack never waits an hour for a reply.
 */
public final class DomainResourceHandler implements RequestHandler<CloudFormationCustomResourceEvent, String> {
    /** CloudFormation reads at most 4 KiB of response. */
    private static final int MAX_REASON = 1000;
    private final DnsSync sync;
    private final Zones zones;

    public DomainResourceHandler() {
        this(DnsSettings.sync(System.getenv()), System.getenv());
    }

    private DomainResourceHandler(DnsSync sync, Map<String, String> env) {
        this(sync, new Zones(DnsSettings.route53(env, dev.mtasts.store.Dynamo.lambdaCredentials(env))));
    }

    public DomainResourceHandler(DnsSync sync, Zones zones) {
        this.sync = sync;
        this.zones = zones;
    }

    /** What CloudFormation is told. */
    record Outcome(boolean success, String reason, String physicalId, String zoneId) {
    }

    @Override
    public String handleRequest(CloudFormationCustomResourceEvent event, Context context) {
        long budget = context == null ? 240_000 : Math.max(1_000, context.getRemainingTimeInMillis() - 10_000);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        Outcome outcome;
        try {
            Future<Outcome> f = worker.submit(() -> act(event, context));
            outcome = f.get(budget, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            outcome = failed(event, "timed out after " + budget / 1000 + " s (Route53 busy?); retry the stack operation");
        } catch (ExecutionException e) {
            outcome = failed(event, String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = failed(event, "interrupted");
        } finally {
            worker.shutdownNow();
        }
        log(context, outcome.success() ? LogLevel.INFO : LogLevel.ERROR, event.getRequestType() + " "
                + outcome.physicalId() + ": " + (outcome.success() ? "SUCCESS" : "FAILED") + " " + outcome.reason());
        try {
            respond(event, outcome);
        } catch (IOException e) {
            log(context, LogLevel.ERROR, "cannot answer CloudFormation at the ResponseURL: " + e);
        }
        return outcome.success() ? "SUCCESS" : "FAILED";
    }

    private Outcome act(CloudFormationCustomResourceEvent event, Context context) {
        Map<String, Object> props = event.getResourceProperties() == null ? Map.of() : event.getResourceProperties();
        boolean announce = "announce".equals(props.get("Stage"));
        if ("Delete".equals(event.getRequestType()) && !announce) {
            return new Outcome(true, "nothing to remove: the announce stage removes _mta-sts",
                    event.getPhysicalResourceId(), null);
        }
        if ("Delete".equals(event.getRequestType())) {
            DomainName domain = parse(event.getPhysicalResourceId());
            if (domain == null) {
                return new Outcome(true, "nothing was created", event.getPhysicalResourceId(), null);
            }
            Zones.Zone zone = zone(domain, props);
            String what = zone == null ? "no zone" : sync.withdraw(domain, zone).toString();
            return new Outcome(true, what, domain.value(), zone == null ? null : zone.id());
        }
        DomainName domain;
        try {
            domain = DomainName.parse(String.valueOf(props.getOrDefault("Domain", "")));
        } catch (InvalidException e) {
            return failed(event, "Domain: " + e.getMessage());
        }
        Zones.Zone zone = zone(domain, props);
        if (zone == null) {
            return failed(event, "no public Route53 hosted zone holds " + domain + "; create it or pass HostedZoneId");
        }
        if (!announce) {
            var seeded = sync.seed(domain, zone);
            return new Outcome(true, seeded.isEmpty() ? "zone " + zone.name() + ", row already there"
                    : "zone " + zone.name() + ", seeded a testing row from MX " + seeded, domain.value(), zone.id());
        }
        DnsSync.Result result = sync.sync(java.util.List.of(domain), zone.id(), false).get(0);
        if (result.action() == DnsSync.Action.REFUSED) {
            // the stack is fine; the row needs attention, which the status, log and alarm say
            log(context, LogLevel.WARN, result.toString());
        }
        return new Outcome(true, result.toString(), domain.value(), zone.id());
    }

    private Zones.Zone zone(DomainName domain, Map<String, Object> props) {
        Object id = props.get("HostedZoneId");
        if (id instanceof String s && !s.isBlank()) {
            return zones.zone(s.strip());
        }
        return zones.zoneFor(domain).orElse(null);
    }

    private static Outcome failed(CloudFormationCustomResourceEvent event, String reason) {
        String physical = event.getPhysicalResourceId() != null ? event.getPhysicalResourceId()
                : "failed-" + event.getRequestId();
        return new Outcome(false, reason, physical, null);
    }

    private static DomainName parse(String s) {
        try {
            return s == null ? null : DomainName.parse(s);
        } catch (InvalidException e) {
            return null;
        }
    }

    /** PUT to the pre-signed ResponseURL, with an empty Content-Type as the signature expects. */
    static void respond(CloudFormationCustomResourceEvent event, Outcome outcome) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(body)) {
            g.writeStartObject();
            g.writeStringField("Status", outcome.success() ? "SUCCESS" : "FAILED");
            String reason = outcome.reason() == null ? "" : outcome.reason();
            g.writeStringField("Reason", reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 3) + "...");
            g.writeStringField("PhysicalResourceId", outcome.physicalId());
            g.writeStringField("StackId", event.getStackId());
            g.writeStringField("RequestId", event.getRequestId());
            g.writeStringField("LogicalResourceId", event.getLogicalResourceId());
            g.writeObjectFieldStart("Data");
            if (outcome.zoneId() != null) {
                g.writeStringField("HostedZoneId", outcome.zoneId());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        byte[] bytes = body.toByteArray();
        HttpURLConnection c = (HttpURLConnection) URI.create(event.getResponseUrl()).toURL().openConnection();
        c.setRequestMethod("PUT");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "");
        c.setFixedLengthStreamingMode(bytes.length);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(20_000);
        try (OutputStream out = c.getOutputStream()) {
            out.write(bytes);
        }
        int status = c.getResponseCode();
        if (status / 100 != 2) {
            throw new IOException("ResponseURL answered HTTP " + status);
        }
    }

}
