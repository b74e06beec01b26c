package dev.mtasts.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import dev.mtasts.core.report.Limits;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.pages.ReportPages;
import dev.mtasts.policy.PolicyHandler;
import dev.mtasts.reports.HttpReportHandler;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.DomainView;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.SourceAllowance;
import dev.mtasts.store.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The whole stack on this machine, as {@code mta-sts serve} runs it: DynamoDB Local in this process with the stack's
 * tables, an AWS emulator (moto_server) for Route53, ACM, API Gateway and S3 when there is one, the policy and
 * reports functions and the reports page behind an API Gateway-shaped HTTP listener, and the domain lifecycle fed by
 * the domains table's stream, as in AWS. Opened in two steps, so that the domains can be loaded between them:
 * {@link #open} (the database, the emulator, the tables), then {@link #serve} (the listener and the lifecycle).
 */
public final class LocalStack implements AutoCloseable {
    /** The bucket of raw reports in the emulator, as the stack's bucket is in AWS. */
    public static final String BUCKET = "mta-sts-reports-local";
    private final LocalDynamoDb dynamo;
    private final Emulator aws;
    private final DynamoDbClient client;
    private final DomainStore domains;
    private final LocalReports reports;
    private final DataFolder data;
    private final InetAddress bind;
    private final List<String> kept;
    /** When this run began: the tables' stream records before it are an earlier run's. */
    private final Instant opened = Instant.now();
    private LocalApiGateway api;
    private AutoCloseable lifecycle;
    private Path samLocalEnv;

    /**
     * Where the stack keeps what it is given.
     *
     * @param bind the address of this machine DynamoDB Local, the HTTP listener and a moto_server started here listen
     *     on (127.0.0.1 unless the user chose to expose them)
     * @param awsPort the port of a moto_server started here (0: a free one)
     * @param awsEndpoint an AWS emulator on this machine, or null: the AWS_ENDPOINT_URL setting, else a
     *     moto_server started here when one is on the PATH, else none
     * @param localOnly no AWS emulator at all: the policies and reports are served, nothing else is made
     * @param dataDir the folder of the tables and raw report bodies, found again by the next run ({@link DataFolder})
     * @param inMemory the tables in memory, gone when the run ends; only raw report bodies go to {@code dataDir}
     */
    public record Options(InetAddress bind, int dynamodbPort, int awsPort, URI awsEndpoint, boolean localOnly,
            Path dataDir, boolean inMemory) {
        /** On 127.0.0.1, with a moto_server on a free port. */
        public Options(int dynamodbPort, URI awsEndpoint, boolean localOnly, Path dataDir, boolean inMemory) {
            this(InetAddress.getLoopbackAddress(), dynamodbPort, 0, awsEndpoint, localOnly, dataDir, inMemory);
        }
    }

    /** A start-up failure, in one line for the user. */
    public static final class CannotStart extends RuntimeException {
        CannotStart(String message) {
            super(message, null, false, false);
        }
    }

    private LocalStack(LocalDynamoDb dynamo, Emulator aws, DataFolder data, InetAddress bind) {
        this.dynamo = dynamo;
        this.aws = aws;
        this.data = data;
        this.bind = bind;
        this.client = Dynamo.create(dynamo.endpoint(), null);
        this.domains = new DomainStore(client, DomainStore.DEFAULT_TABLE).withState(StateStore.DEFAULT_TABLE);
        domains.createTable();
        domains.state().createTable();
        this.reports = LocalReports.of(client, DomainStore.DEFAULT_TABLE, ReportStore.DEFAULT_TABLE, Limits.DEFAULT,
                true, line -> { });
        reports.reports().createTable();
        this.kept = data.kept() ? resume() : List.of();
    }

    /** The domains of the last run, as it left them, then made ready to go on ({@link Emulator#resume}). */
    private List<String> resume() {
        List<String> lines = new ArrayList<>();
        for (DomainView d : domains.views()) {
            if (d.rowDeleted()) {
                continue;
            }
            String policy;
            try {
                Policy p = DomainRow.parse(d.row()).policy();
                policy = p.mode().text() + ", id " + p.id();
            } catch (InvalidException e) {
                policy = DomainRow.unseeded(d.row()) ? "no policy yet" : "INVALID: " + e.getMessage();
            }
            Lifecycle lc = d.lifecycle();
            lines.add(d.key() + "  " + policy + (lc == null ? "" : "; " + lc.state()));
        }
        String note = aws.resume(domains, Instant.now());
        if (note != null) {
            lines.add(note);
        }
        return lines;
    }

    /**
     * Starts DynamoDB Local and the AWS emulator (at the same time: the emulator is a Python process) and makes the
     * stack's tables, or finds them again in the data folder.
     *
     * @throws LocalDynamoDb.PortInUseException when DynamoDB Local's port is taken
     * @throws MotoServer.PortInUseException when the port asked for the moto_server is taken
     * @throws CannotStart when a port was asked for a moto_server and none can be started
     * @throws DataFolder.InUse when the data folder cannot be used (another run holds it, or it is not one)
     */
    public static LocalStack open(Options options) {
        DataFolder data = options.inMemory() ? DataFolder.inMemory(options.dataDir()) : DataFolder.open(options.dataDir());
        // each worker of the local gateway reads DynamoDB Local on a connection of its own; the JDK keeps at most 5
        // idle connections per host, so with more requests at once than that, every few requests paid a new
        // connection. Read once, when the first connection is made: set before any is.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(2 * LocalApiGateway.WORKERS));
        }
        CompletableFuture<Emulator> starting = CompletableFuture.supplyAsync(() -> emulator(options));
        LocalDynamoDb db;
        try {
            db = LocalDynamoDb.start(options.bind(), options.dynamodbPort(), data.tables());
        } catch (RuntimeException e) {
            closeQuietly(starting);
            data.close();
            throw e;
        }
        Emulator emulator;
        try {
            emulator = starting.join();
        } catch (java.util.concurrent.CompletionException e) {
            db.close();
            data.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        try {
            return new LocalStack(db, emulator, data, options.bind());
        } catch (RuntimeException e) {
            emulator.close();
            db.close();
            data.close();
            throw e;
        }
    }

    /** Closes the emulator once it has started; nothing when it failed to. */
    private static void closeQuietly(CompletableFuture<Emulator> starting) {
        Emulator e = starting.handle((emulator, failed) -> emulator).join();
        if (e != null) {
            e.close();
        }
    }

    /** The AWS emulator this run uses: the one given, AWS_ENDPOINT_URL's, one started here, or none. */
    private static Emulator emulator(Options options) {
        if (options.localOnly()) {
            return Emulator.none("--local-only");
        }
        URI given = options.awsEndpoint() != null ? options.awsEndpoint() : Dynamo.configuredEndpoint("ROUTE53", "Route53");
        if (given != null && !Dynamo.onThisMachine(given)) {
            // the local stack's live check fetches from its own listener: against real AWS it would publish unchecked ids
            return Emulator.none(given + " is not an emulator on this machine: the local stack runs the lifecycle only "
                    + "against one (for AWS, deploy the stack)");
        }
        if (given != null) {
            return Emulator.at(given, null);
        }
        try {
            MotoServer moto = MotoServer.start(options.bind(), options.awsPort());
            return Emulator.at(moto.endpoint(), moto);
        } catch (IllegalStateException e) { // not installed, or did not start (a port taken is said as such)
            if (options.awsPort() != 0) {
                throw new CannotStart("no moto_server to start on port " + options.awsPort() + ": " + e.getMessage()
                        + " (pip install 'moto[server]')");
            }
            return Emulator.none("no moto_server on the PATH (pip install 'moto[server]')");
        }
    }

    /**
     * The domains found again in the data folder, a line each as the last run left them (policy and state), and a
     * last line when the AWS emulator makes their resources again; empty when the tables are new.
     */
    public List<String> kept() {
        return kept;
    }

    /** Whether the tables were found again in the data folder (an earlier run's). */
    public boolean resumed() {
        return data.kept();
    }

    /** The data folder, and how it is laid out, in plain words for a banner. */
    public String describeData() {
        if (data.inMemory()) {
            return "tables in memory (--in-memory: gone when this stops), raw report bodies in " + data.reports();
        }
        return data.root() + (data.kept() ? " (found again)" : "") + ": tables in " + data.root().resolve(DataFolder.TABLES)
                + ", raw report bodies in " + data.reports();
    }

    /** The domains table (with the stack's state beside it), for loading rows before {@link #serve}. */
    public DomainStore domains() {
        return domains;
    }

    /**
     * Before rows are loaded: gives the emulator a public hosted zone for each domain of {@code rows} that has none
     * (with MX {@code mail.<domain>}), as a user's Route53 would have.
     */
    public void zonesFor(List<Object> rows) {
        if (aws.started()) {
            aws.zonesFor(rows);
        }
    }

    /**
     * Starts the HTTP listener on {@code port} of the stack's address (0: a free one) with the policy function and the
     * reports page ({@code $default}) and the reports function ({@code POST /v1/tlsrpt}), and the domain lifecycle,
     * which logs to {@code log}. Without an emulator, the domains are marked as served by the local stack only. Then
     * writes {@link SamLocalEnv#FILE} into the data folder, for {@code sam local --env-vars}.
     *
     * @throws java.net.BindException when the port is taken
     */
    public void serve(int port, PrintWriter log) throws IOException {
        aws.markLocal(domains);
        Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes = Map.of(
                "$default", new PageRoute(new PolicyHandler(domains), new ReportPages(domains, reports.reports(),
                        Clock.systemUTC(), "the local stack")),
                "POST " + HttpReportHandler.PATH, new HttpReportHandler(reports.ingest(), aws.rawStore(data.reports()),
                        new SourceAllowance(reports.reports(), SourceAllowance.DEFAULT_PER_HOUR),
                        Limits.DEFAULT.maxCompressedBytes(), Clock.systemUTC()));
        api = new LocalApiGateway(bind, port, routes, log);
        lifecycle = aws.lifecycle(domains, client, bind.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bind,
                api.port(), log, data.kept() ? opened : null, data.root().resolve(OutsideDns.FILE));
        samLocalEnv = SamLocalEnv.write(data.root(), SamLocalEnv.of(dynamo.port(), api.port(), aws.endpoint(),
                aws.apiId(), aws.started() ? Emulator.DELEGATION_ZONE : null));
    }

    /** The file for {@code sam local --env-vars} this run wrote (once {@link #serve} has started the listener). */
    public Path samLocalEnv() {
        return samLocalEnv;
    }

    /** The address the stack listens on. */
    public InetAddress bind() {
        return bind;
    }

    /** The HTTP listener's port (once {@link #serve} has started it). */
    public int httpPort() {
        return api.port();
    }

    public int dynamoPort() {
        return dynamo.port();
    }

    /** The AWS emulator in use, null without one. */
    public URI awsEndpoint() {
        return aws.endpoint();
    }

    /** The DNS host of delegated domains ({@code domain add --delegated}) in plain words, or null without one. */
    public String describeOutsideDns() {
        return aws.describeOutsideDns();
    }

    /** The AWS emulator in plain words, for a banner. */
    public String describeAws() {
        return aws.describe();
    }

    /** Where raw report bodies go: the bucket of an emulator given, or the data folder. */
    public String rawReports() {
        return aws.endpoint() == null || aws.started() ? data.reports().toString() : aws.endpoint() + "/" + BUCKET;
    }

    @Override
    public void close() throws Exception {
        try (DataFolder d = data; LocalDynamoDb db = dynamo; Emulator emulator = aws; DynamoDbClient c = client) {
            try (LocalApiGateway a = api; AutoCloseable l = lifecycle) {
                // the lifecycle first, then the listener its live checks fetch from
            }
        }
    }
}
