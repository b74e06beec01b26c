package dev.mtasts.local;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.lifecycle.Certificates;
import dev.mtasts.lifecycle.CustomDomains;
import dev.mtasts.lifecycle.DomainLifecycle;
import dev.mtasts.lifecycle.LifecycleScheduleHandler;
import dev.mtasts.lifecycle.LifecycleSettings;
import dev.mtasts.lifecycle.LifecycleStreamHandler;
import dev.mtasts.lifecycle.Runner;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.reports.FolderRawStore;
import dev.mtasts.reports.RawStore;
import dev.mtasts.reports.S3RawStore;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.DomainView;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The AWS side of the local stack: an emulator (moto_server) for Route53, ACM, API Gateway and S3, where the domain
 * lifecycle runs exactly as in AWS, or none, where the policies are served and nothing else is made.
 */
final class Emulator implements AutoCloseable {
    /** How often the local stack runs the lifecycle's schedule (every few minutes in AWS). */
    static final long SCHEDULE_SECONDS = 10;
    /** The name of the HTTP API the local stack creates in the emulator, as a stack named mta-sts has. */
    static final String API_NAME = "mta-sts";

    private final URI endpoint;
    private final MotoServer moto;
    private final String why;
    private AwsClients clients;
    /** The HTTP API the lifecycle maps custom domains to, once {@link #lifecycle} has found or made it. */
    private volatile String apiId;
    /** The DNS host of delegated domains, in the sandbox this run started; null otherwise. */
    private OutsideDns outside;

    /** The delegation zone of the sandbox: delegated domains' records go under it (the template's DelegationZone). */
    static final String DELEGATION_ZONE = "mta-sts.delegation.test";

    private Emulator(URI endpoint, MotoServer moto, String why) {
        this.endpoint = endpoint;
        this.moto = moto;
        this.why = why;
    }

    static Emulator at(URI endpoint, MotoServer started) {
        return new Emulator(endpoint, started, null);
    }

    static Emulator none(String why) {
        return new Emulator(null, null, why);
    }

    URI endpoint() {
        return endpoint;
    }

    /** Whether this run started the emulator (and so may fill it with zones for the sample domains). */
    boolean started() {
        return moto != null;
    }

    String describe() {
        if (endpoint == null) {
            return "none (" + why + "): policies are served, no certificates, custom domains or records are made";
        }
        return moto != null ? "moto_server started at " + endpoint + ": the domain lifecycle runs here as in AWS "
                + "(mta-sts domain list shows it); a domain added without a zone gets one, with MX mail.<domain>"
                : "emulator at " + endpoint + ": the domain lifecycle runs here as in AWS (mta-sts domain list shows it)";
    }

    private AwsClients clients() {
        if (clients == null) {
            clients = AwsClients.of(endpoint, Dynamo.LOCAL_REGION.id());
        }
        return clients;
    }

    /**
     * A public hosted zone for each domain of the rows, with MX records its patterns match (a wildcard pattern gets
     * {@code mx1.} under it), so that the lifecycle finds what it would find in a real account.
     */
    void zonesFor(List<Object> rows) {
        var route53 = clients().route53();
        for (Object row : rows) {
            if (!(row instanceof Map<?, ?> m) || !(m.get(DomainRow.DOMAIN) instanceof String d)
                    || DomainRow.DELEGATED.equals(m.get(DomainRow.DNS))) {
                continue; // a delegated domain's DNS is elsewhere: the outside DNS, not a hosted zone
            }
            DomainName domain;
            try {
                domain = DomainName.parse(d);
            } catch (InvalidException e) {
                continue;
            }
            List<ResourceRecord> mx = new ArrayList<>();
            if (m.get(DomainRow.MX) instanceof List<?> patterns) {
                for (Object p : patterns) {
                    if (p instanceof String s && !s.isBlank()) {
                        mx.add(ResourceRecord.builder().value((mx.size() + 1) * 10 + " "
                                + (s.startsWith("*.") ? "mx1." + s.substring(2) : s) + ".").build());
                    }
                }
            }
            if (mx.isEmpty()) {
                mx.add(ResourceRecord.builder().value("10 mail." + domain + ".").build());
            }
            String id = route53.createHostedZone(r -> r.name(domain.value()).callerReference(domain + "-" + System.nanoTime()))
                    .hostedZone().id();
            route53.changeResourceRecordSets(r -> r.hostedZoneId(id).changeBatch(b -> b.changes(Change.builder()
                    .action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder().name(domain + ".")
                            .type(RRType.MX).ttl(3600L).resourceRecords(mx).build()).build())));
        }
    }

    /**
     * Where raw report bodies go: the bucket of an emulator that outlives this run (one given), else a folder; the
     * bucket of a moto_server started here would go with it.
     */
    RawStore rawStore(Path folder) {
        if (endpoint == null) {
            return new FolderRawStore(folder);
        }
        S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create())
                .region(Dynamo.LOCAL_REGION).credentialsProvider(Dynamo.localCredentials())
                .endpointOverride(endpoint).forcePathStyle(true).build();
        try {
            // made in any emulator: the reports functions under sam local write there (sam-local-env.json)
            s3.createBucket(r -> r.bucket(LocalStack.BUCKET));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 409) {
                s3.close();
                throw e;
            }
        }
        if (moto != null) {
            s3.close();
            return new FolderRawStore(folder);
        }
        return new S3RawStore(s3, LocalStack.BUCKET);
    }

    /** The emulator's HTTP API (named {@value #API_NAME}), null before {@link #lifecycle} or without an emulator. */
    String apiId() {
        return apiId;
    }

    /**
     * The lifecycle in this process: the domains table's stream feeds the stream handler and a timer runs the
     * schedule handler, as Lambda does with the template's event sources. The live check fetches each policy from the
     * local listener. Without an emulator, rows are marked as served locally. The stream's records written before
     * {@code since} (an earlier run's, on kept tables) are skipped.
     */
    AutoCloseable lifecycle(DomainStore store, DynamoDbClient dynamo, InetAddress httpAddress, int httpPort,
            PrintWriter log, Instant since, Path outsideFile) throws java.io.IOException {
        DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().httpClient(UrlConnectionHttpClient.create())
                .region(Dynamo.LOCAL_REGION).credentialsProvider(Dynamo.localCredentials())
                .endpointOverride(dynamo.serviceClientConfiguration().endpointOverride().orElseThrow()).build();
        if (endpoint == null) {
            LocalStream stream = new LocalStream(dynamo, streams, store.table(), event -> markLocal(store, event), since)
                    .start();
            return () -> {
                stream.close();
                streams.close();
            };
        }
        AwsClients c = clients();
        String found = dev.mtasts.lifecycle.CustomDomains.findApi(c.api(), API_NAME);
        String api = found != null ? found : c.api().createApi(r -> r.name(API_NAME).protocolType("HTTP")).apiId();
        apiId = api;
        DomainLifecycle lifecycle = DomainLifecycle.of(store, c.zones(), new Certificates(c.acm(), API_NAME),
                new CustomDomains(c.api(), api, API_NAME),
                d -> PolicyFetch.Target.plain(d.policyHost(), httpAddress, httpPort),
                null, List.of(), LifecycleSettings.DEFAULT_TTL, new Emf(line -> { }, Clock.systemUTC()), Clock.systemUTC())
                .withMxMoves((subject, body) -> alert(log, subject, body), true); // the emulator's zones are a sandbox
        Runner[] delegated = new Runner[1];
        if (started()) {
            outside = OutsideDns.start(outsideFile, DELEGATION_ZONE, () -> delegated[0].advanceAll(delegated(store), null));
            lifecycle = lifecycle.withDelegation(delegationZone(), dev.mtasts.sender.Dns.server(outside.address(),
                    java.time.Duration.ofSeconds(2)));
        }
        OutsideDns dns = outside;
        Runner runner = new Runner(lifecycle);
        delegated[0] = runner;
        LifecycleStreamHandler onStream = new LifecycleStreamHandler(runner);
        LifecycleScheduleHandler onSchedule = new LifecycleScheduleHandler(store, runner, Clock.systemUTC());
        LocalStream stream = new LocalStream(dynamo, streams, store.table(), event -> {
            if (started()) {
                sandboxZones(event);
            }
            onStream.handleRequest(event, new LocalContext(log));
        }, since).start();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mta-sts-schedule");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                onSchedule.handleRequest(Map.of(), new LocalContext(log));
            } catch (RuntimeException e) {
                log.println("  lifecycle schedule failed: " + e.getMessage());
                log.flush();
            }
        }, since != null ? 0 : SCHEDULE_SECONDS, SCHEDULE_SECONDS, TimeUnit.SECONDS); // kept domains go on at once
        return () -> {
            timer.shutdownNow();
            stream.close();
            streams.close();
            if (dns != null) {
                dns.close();
            }
        };
    }

    /** The domains whose DNS is the outside DNS ({@code dns: delegated}). */
    private static List<DomainName> delegated(DomainStore store) {
        List<DomainName> out = new ArrayList<>();
        for (DomainView v : store.views()) {
            if (v.row() != null && DomainRow.delegated(v.row())) {
                try {
                    out.add(DomainName.parse(v.key()));
                } catch (InvalidException e) {
                    // not a key the stack serves
                }
            }
        }
        return out;
    }

    /** The sandbox's delegation zone, made when missing: a public hosted zone, as DelegationZone names one. */
    private String delegationZone() {
        var route53 = clients().route53();
        boolean there = route53.listHostedZonesPaginator(r -> { }).hostedZones().stream()
                .anyMatch(z -> z.name().equals(DELEGATION_ZONE + "."));
        if (!there) {
            route53.createHostedZone(r -> r.name(DELEGATION_ZONE).callerReference(DELEGATION_ZONE + "-" + System.nanoTime()));
        }
        return DELEGATION_ZONE;
    }

    /** The outside DNS in plain words, for a banner; null when there is none. */
    String describeOutsideDns() {
        return outside == null ? null : outside.address() + " from " + outside.file() + "  (the DNS host of domains "
                + "added with --delegated; their records go under " + DELEGATION_ZONE + ")";
    }

    /** The stack's alerts (an MX move's), which go to its SNS topic in AWS, on the console. */
    private static void alert(PrintWriter log, String subject, String body) {
        synchronized (log) {
            log.println("  alert: " + subject);
            body.lines().forEach(l -> log.println("    " + l));
            log.flush();
        }
    }

    /**
     * The emulator this run started is a sandbox: a domain added without a hosted zone of its own or of a parent
     * gets one, with an MX record {@code mail.<domain>}, so that trying {@code domain add} needs no Route53 set-up.
     */
    private void sandboxZones(DynamodbEvent event) {
        for (var record : event.getRecords()) {
            var key = record.getDynamodb().getKeys().get(DomainRow.DOMAIN);
            if (!"INSERT".equals(record.getEventName()) || key == null || key.getS() == null) {
                continue;
            }
            var dns = record.getDynamodb().getNewImage() == null ? null
                    : record.getDynamodb().getNewImage().get(DomainRow.DNS);
            if (dns != null && DomainRow.DELEGATED.equals(dns.getS())) {
                continue; // its DNS is elsewhere: the outside DNS, not a hosted zone
            }
            DomainName domain;
            try {
                domain = DomainName.parse(key.getS());
            } catch (InvalidException e) {
                continue;
            }
            if (!held(domain)) {
                zonesFor(List.<Object>of(Map.of(DomainRow.DOMAIN, domain.value())));
            }
        }
    }

    /** Whether a hosted zone of the emulator holds the domain (its own or a parent's). */
    private boolean held(DomainName domain) {
        return clients().route53().listHostedZonesPaginator(r -> { }).hostedZones().stream()
                .map(z -> z.name().endsWith(".") ? z.name().substring(0, z.name().length() - 1) : z.name())
                .anyMatch(z -> domain.value().equals(z) || domain.value().endsWith("." + z));
    }

    /**
     * Before the lifecycle starts on tables kept from an earlier run. That run's work ended with its process, so the
     * leases it held are void. What its AWS emulator held may be gone: a moto_server started here is a new one, with
     * nothing of the last run. The emulator this run started gets a zone for every row, as at the first start; then
     * each domain whose state names a hosted zone the emulator does not know goes through the lifecycle again from
     * the zone step, keeping the policy it had checked and announced (so it is served as before meanwhile), and gets
     * its certificate, custom domain and records made again. Without an emulator, the domains are served locally.
     *
     * @return what was done, in a line for the banner; null when nothing needed doing
     */
    String resume(DomainStore store, Instant now) {
        if (started()) {
            List<Object> rows = new ArrayList<>();
            for (Map<String, Object> row : store.list()) {
                try {
                    if (!held(DomainName.parse(String.valueOf(row.get(DomainRow.DOMAIN))))) {
                        rows.add(row);
                    }
                } catch (InvalidException notADomain) {
                    // a key no request reaches: no zone for it
                }
            }
            zonesFor(rows);
        }
        int remade = 0;
        for (DomainView domain : store.views()) {
            Lifecycle lc = domain.lifecycle();
            if (lc == null || domain.state() == null) {
                continue;
            }
            Lifecycle next = lc.lease() == null ? lc : lc.withLease(null);
            if (endpoint == null) {
                if (lc.step() != Lifecycle.Step.LOCAL && !domain.rowDeleted()) {
                    // what it had made is kept in the state, for a later run with the same emulator to find again
                    next = next.at(Lifecycle.Step.LOCAL, Lifecycle.Step.LOCAL.doing(), now);
                }
            } else if (lc.zoneId() != null && !zoneKnown(lc.zoneId())) {
                Lifecycle forgotten = next.withZone(null, null).withCertificate(null, null).withTarget(null)
                        .withReporting(null);
                next = lc.step().removing() ? forgotten : forgotten.at(Lifecycle.Step.ZONE, "the AWS emulator does not "
                        + "know zone " + lc.zoneName() + " (" + lc.zoneId() + ") of the last run: making the domain's "
                        + "zone, certificate, custom domain and records again", now);
                remade++;
            }
            if (!next.equals(lc)) {
                store.state().restart(domain.key(), next);
            }
        }
        if (endpoint == null) {
            return null;
        }
        return remade == 0 ? null : (started() ? "moto_server is new" : "the AWS emulator does not know the zones of "
                + "the last run") + ": the lifecycle makes " + (remade == 1 ? "one domain's certificate, custom domain"
                : remade + " domains' certificates, custom domains") + " and records there again (mta-sts domain list "
                + "shows it)";
    }

    private boolean zoneKnown(String id) {
        try {
            clients().route53().getHostedZone(r -> r.id(id));
            return true;
        } catch (software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException gone) {
            return false;
        }
    }

    /** Without an emulator, the rows loaded at start are served locally from the first request on. */
    void markLocal(DomainStore store) {
        if (endpoint == null) {
            for (DomainView domain : store.views()) {
                store.state().markLocal(domain.key(), Lifecycle.local(Instant.now()));
            }
        }
    }

    /** A row added is marked as served locally; a row deleted takes the mark with it. */
    private static void markLocal(DomainStore store, DynamodbEvent event) {
        for (var record : event.getRecords()) {
            var key = record.getDynamodb().getKeys().get(DomainRow.DOMAIN);
            if (key == null || key.getS() == null) {
                continue;
            }
            if ("REMOVE".equals(record.getEventName())) {
                store.state().deleteKey(key.getS());
            } else {
                store.state().markLocal(key.getS(), Lifecycle.local(Instant.now()));
            }
        }
    }

    @Override
    public void close() {
        if (clients != null) {
            clients.route53().close();
            clients.acm().close();
            clients.api().close();
        }
        if (moto != null) {
            moto.close();
        }
    }
}
