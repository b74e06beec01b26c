package dev.mtasts.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.core.report.Limits;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.pages.ReportPages;
import dev.mtasts.policy.PolicyHandler;
import dev.mtasts.reports.HttpReportHandler;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.SourceAllowance;
import dev.mtasts.store.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
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
    private final Path dataDir;
    private LocalApiGateway api;
    private AutoCloseable lifecycle;

    /**
     * Where the stack keeps what it is given.
     *
     * @param awsEndpoint an AWS emulator on this machine, or null: the AWS_ENDPOINT_URL setting, else a
     *     moto_server started here when one is on the PATH, else none
     * @param localOnly no AWS emulator at all: the policies and reports are served, nothing else is made
     * @param dataDir where raw report bodies go without an emulator's bucket
     */
    public record Options(int dynamodbPort, URI awsEndpoint, boolean localOnly, Path dataDir) {
    }

    private LocalStack(LocalDynamoDb dynamo, Emulator aws, Path dataDir) {
        this.dynamo = dynamo;
        this.aws = aws;
        this.dataDir = dataDir;
        this.client = Dynamo.create(dynamo.endpoint(), null);
        this.domains = new DomainStore(client, DomainStore.DEFAULT_TABLE).withState(StateStore.DEFAULT_TABLE);
        domains.createTable();
        domains.state().createTable();
        this.reports = LocalReports.of(client, DomainStore.DEFAULT_TABLE, ReportStore.DEFAULT_TABLE, Limits.DEFAULT,
                true, line -> { });
        reports.reports().createTable();
    }

    /**
     * Starts DynamoDB Local and the AWS emulator (at the same time: the emulator is a Python process) and makes the
     * stack's tables.
     *
     * @throws LocalDynamoDb.PortInUseException when DynamoDB Local's port is taken
     */
    public static LocalStack open(Options options) {
        // each worker of the local gateway reads DynamoDB Local on a connection of its own; the JDK keeps at most 5
        // idle connections per host, so with more requests at once than that, every few requests paid a new
        // connection. Read once, when the first connection is made: set before any is.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(2 * LocalApiGateway.WORKERS));
        }
        CompletableFuture<Emulator> starting = CompletableFuture.supplyAsync(() -> emulator(options));
        LocalDynamoDb db;
        try {
            db = LocalDynamoDb.start(options.dynamodbPort());
        } catch (RuntimeException e) {
            starting.join().close();
            throw e;
        }
        try {
            return new LocalStack(db, starting.join(), options.dataDir());
        } catch (RuntimeException e) {
            starting.join().close();
            db.close();
            throw e;
        }
    }

    /** The AWS emulator this run uses: the one given, AWS_ENDPOINT_URL's, one started here, or none. */
    private static Emulator emulator(Options options) {
        if (options.localOnly()) {
            return Emulator.none("--local-only");
        }
        URI given = options.awsEndpoint() != null ? options.awsEndpoint() : Dynamo.configuredEndpoint("ROUTE53", "Route53");
        if (given != null && !Dynamo.isLoopback(given)) {
            // the local stack's live check fetches from its own listener: against real AWS it would publish unchecked ids
            return Emulator.none(given + " is not an emulator on this machine: the local stack runs the lifecycle only "
                    + "against one (for AWS, deploy the stack)");
        }
        if (given != null) {
            return Emulator.at(given, null);
        }
        try {
            MotoServer moto = MotoServer.start();
            return Emulator.at(moto.endpoint(), moto);
        } catch (IllegalStateException e) {
            return Emulator.none("no moto_server on the PATH (pip install 'moto[server]')");
        }
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
     * Starts the HTTP listener on {@code port} of 127.0.0.1 (0: a free one) with the policy function and the reports
     * page ({@code $default}) and the reports function ({@code POST /v1/tlsrpt}), and the domain lifecycle, which
     * logs to {@code log}. Without an emulator, the domains are marked as served by the local stack only.
     *
     * @throws java.net.BindException when the port is taken
     */
    public void serve(int port, PrintWriter log) throws IOException {
        aws.markLocal(domains);
        Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes = Map.of(
                "$default", new PageRoute(new PolicyHandler(domains), new ReportPages(domains, reports.reports(),
                        Clock.systemUTC(), "the local stack")),
                "POST " + HttpReportHandler.PATH, new HttpReportHandler(reports.ingest(), aws.rawStore(dataDir),
                        new SourceAllowance(reports.reports(), SourceAllowance.DEFAULT_PER_HOUR),
                        Limits.DEFAULT.maxCompressedBytes(), Clock.systemUTC()));
        api = new LocalApiGateway(port, routes, log);
        lifecycle = aws.lifecycle(domains, client, api.port(), log);
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

    /** The AWS emulator in plain words, for a banner. */
    public String describeAws() {
        return aws.describe();
    }

    /** Where raw report bodies go: the emulator's bucket, or the data folder. */
    public String rawReports() {
        return aws.endpoint() == null ? dataDir.toString() : aws.endpoint() + "/" + BUCKET;
    }

    @Override
    public void close() throws Exception {
        try (LocalDynamoDb db = dynamo; Emulator emulator = aws; DynamoDbClient c = client) {
            try (LocalApiGateway a = api; AutoCloseable l = lifecycle) {
                // the lifecycle first, then the listener its live checks fetch from
            }
        }
    }
}
