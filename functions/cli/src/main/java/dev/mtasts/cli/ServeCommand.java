package dev.mtasts.cli;

import dev.mtasts.cli.pages.PageRoute;
import dev.mtasts.cli.pages.ReportPages;
import dev.mtasts.local.LocalDynamoDb;
import dev.mtasts.local.MotoServer;
import dev.mtasts.policy.PolicyHandler;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.StateStore;
import dev.mtasts.core.report.Limits;
import dev.mtasts.reports.FolderRawStore;
import dev.mtasts.reports.HttpReportHandler;
import dev.mtasts.store.SourceAllowance;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the stack locally, without AWS or Docker: DynamoDB Local in this process, the domains "
                + "table loaded from a file, the policy and reports functions behind an API Gateway-shaped HTTP "
                + "server on 127.0.0.1 (requests are routed by their Host header), and, with an AWS emulator, the "
                + "domain lifecycle fed by the table's stream as in AWS. Ctrl-C stops it."})
final class ServeCommand implements Callable<Integer> {
    static final Path DEFAULT_DOMAINS = Path.of("infra", "local", "domains.json");

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "HTTP port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--dynamodb-port", defaultValue = "8000", paramLabel = "PORT",
            description = "DynamoDB Local port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int dynamodbPort;

    @Option(names = "--domains", paramLabel = "FILE",
            description = "JSON array of rows {\"domain\",\"mode\",\"mx\":[...],\"max_age\"} to load "
                    + "(default: infra/local/domains.json when it exists).")
    Path domains;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".mta-sts/reports",
            description = "Where raw report bodies POSTed to /v1/tlsrpt are kept (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--aws-endpoint-url", paramLabel = "URL",
            description = {"An AWS emulator (e.g. moto_server) for Route53, ACM, API Gateway and S3: the domain lifecycle "
                    + "then runs here as in AWS, and raw reports go to its bucket " + LOCAL_BUCKET + ".",
                "Default: the AWS_ENDPOINT_URL setting, else a moto_server started here when one is on the PATH "
                        + "(with a hosted zone per domain of --domains), else none (--local-only)."})
    java.net.URI awsEndpoint;

    @Option(names = "--local-only", description = "No AWS emulator: serve the policies and reports only.")
    boolean localOnly;

    static final String LOCAL_BUCKET = "mta-sts-reports-local";

    @Spec
    CommandSpec spec;

    /** Counted down once the stack is up; lets tests wait for it. */
    final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    volatile int httpPort;
    volatile int dynamoPort;
    /** The AWS emulator in use, null without one. */
    volatile java.net.URI awsInUse;

    @Override
    public Integer call() throws Exception {
        // each worker of the local gateway reads DynamoDB Local on a connection of its own; the JDK keeps at most 5
        // idle connections per host, so with more requests at once than that, every few requests paid a new
        // connection. Read once, when the first connection is made: set before any is.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(2 * LocalApiGateway.WORKERS));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (int[] p : new int[][] {{port, 0}, {dynamodbPort, 1}}) {
            if (p[0] < 0 || p[0] > 65535) {
                err.println("mta-sts: " + (p[1] == 0 ? "--port" : "--dynamodb-port") + " must be 0 to 65535 (got " + p[0] + ")");
                return Main.ERROR;
            }
        }
        Path file = domains != null ? domains : Files.exists(DEFAULT_DOMAINS) ? DEFAULT_DOMAINS : null;
        List<Object> rows;
        try {
            rows = file == null ? List.of() : DomainsFile.read(file);
        } catch (NoSuchFileException e) {
            err.println("mta-sts: " + file + ": no such file");
            return Main.ERROR;
        } catch (IOException e) {
            err.println("mta-sts: " + file + ": " + e.getMessage());
            return Main.ERROR;
        }
        long t0 = System.nanoTime();
        try {
            return run(out, file, rows, t0);
        } catch (java.net.BindException e) {
            err.println("mta-sts: port " + port + " on 127.0.0.1 is in use; choose another with --port");
            return Main.ERROR;
        } catch (LocalDynamoDb.PortInUseException e) {
            err.println("mta-sts: " + e.getMessage() + "; choose another with --dynamodb-port");
            return Main.ERROR;
        }
    }

    private int run(PrintWriter out, Path file, List<Object> rows, long t0) throws Exception {
        // the emulator (a Python process) starts while DynamoDB Local does
        java.util.concurrent.CompletableFuture<Emulator> starting = java.util.concurrent.CompletableFuture.supplyAsync(this::emulator);
        LocalDynamoDb db;
        try {
            db = LocalDynamoDb.start(dynamodbPort);
        } catch (RuntimeException e) {
            starting.join().close();
            throw e;
        }
        try (LocalDynamoDb dynamo = db; Emulator aws = starting.join()) {
            var client = Dynamo.create(dynamo.endpoint(), null);
            DomainStore store = new DomainStore(client, DomainStore.DEFAULT_TABLE).withState(StateStore.DEFAULT_TABLE);
            store.createTable();
            store.state().createTable();
            if (aws.started()) {
                aws.zonesFor(rows);
            }
            List<String> report = DomainsFile.load(store, rows);
            aws.markLocal(store);
            LocalReports reports = LocalReports.of(client, DomainStore.DEFAULT_TABLE, ReportStore.DEFAULT_TABLE,
                    Limits.DEFAULT, true, line -> { });
            reports.reports().createTable();
            var routes = Map.<String, com.amazonaws.services.lambda.runtime.RequestHandler<
                    com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent,
                    com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse>>of(
                    "$default", new PageRoute(new PolicyHandler(store), new ReportPages(store, reports.reports(),
                            java.time.Clock.systemUTC(), "the local stack")),
                    "POST " + HttpReportHandler.PATH, new HttpReportHandler(reports.ingest(), aws.rawStore(dataDir),
                            new SourceAllowance(reports.reports(), SourceAllowance.DEFAULT_PER_HOUR),
                            Limits.DEFAULT.maxCompressedBytes(), java.time.Clock.systemUTC()));
            try (LocalApiGateway api = new LocalApiGateway(port, routes, out);
                    AutoCloseable lifecycle = aws.lifecycle(store, client, api.port(), out)) {
                httpPort = api.port();
                dynamoPort = dynamo.port();
                awsInUse = aws.endpoint();
                banner(out, file, report, aws, (System.nanoTime() - t0) / 1_000_000);
                // Ctrl-C: let the main thread close the servers, and wait for it before the JVM goes
                Thread hook = new Thread(() -> {
                    stop.countDown();
                    awaitQuietly(stopped);
                }, "mta-sts-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                started.countDown();
                stop.await();
                out.println("Stopping.");
                out.flush();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is what stopped us
                }
            }
        } finally {
            stopped.countDown();
        }
        return Main.OK;
    }

    /** The AWS emulator this run uses: the one given, AWS_ENDPOINT_URL's, one started here, or none. */
    private Emulator emulator() {
        if (localOnly) {
            return Emulator.none("--local-only");
        }
        java.net.URI given = awsEndpoint != null ? awsEndpoint : Dynamo.configuredEndpoint("ROUTE53", "Route53");
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

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops a running stack (what Ctrl-C does). */
    void stop() {
        stop.countDown();
    }

    private void banner(PrintWriter out, Path file, List<String> report, Emulator aws, long millis) {
        out.printf("mta-sts local stack up in %d ms%n", millis);
        out.printf("  DynamoDB Local  http://127.0.0.1:%d  (tables %s, and %s for the stack's own state)%n", dynamoPort,
                DomainStore.DEFAULT_TABLE, StateStore.DEFAULT_TABLE);
        out.printf("  HTTP API        http://127.0.0.1:%d  (routed by Host: mta-sts.<domain>)%n", httpPort);
        out.printf("  Reports page    http://127.0.0.1:%d/  (any other Host; read from the tables on each load)%n", httpPort);
        out.printf("  Reports         POST %s -> table %s, raw bodies in %s%n", HttpReportHandler.PATH,
                ReportStore.DEFAULT_TABLE, aws.endpoint() == null ? dataDir : aws.endpoint() + "/" + LOCAL_BUCKET);
        out.println("  AWS             " + aws.describe());
        out.println(file == null ? "No domains file: the table is empty." : "Domains from " + file + ":");
        report.forEach(line -> out.println("  " + line));
        String example = report.stream().filter(l -> l.contains(", id ")).findFirst()
                .map(l -> l.substring(0, l.indexOf(' '))).orElse("example.com");
        out.println("Try:");
        out.printf("  curl -H 'Host: mta-sts.%s' http://127.0.0.1:%d/.well-known/mta-sts.txt%n", example, httpPort);
        out.printf("  java -jar functions/cli/target/mta-sts.jar domain list --endpoint-url http://127.0.0.1:%d%n",
                dynamoPort);
        if (aws.endpoint() != null) {
            out.printf("  java -jar functions/cli/target/mta-sts.jar domain add example.net --endpoint-url http://127.0.0.1:%d%n",
                    dynamoPort);
        }
        if (report.stream().anyMatch(l -> l.startsWith("example.org "))) {
            // the sample report is about example.org: only a stack serving it stores it
            out.printf("  curl -H 'Host: mta-sts.example.org' -H 'Content-Type: application/tlsrpt+json' --data-binary "
                    + "@'infra/samples/microsoft.com!example.org!1795392000!1795478399.json' http://127.0.0.1:%d%s%n",
                    httpPort, HttpReportHandler.PATH);
        }
        out.printf("  java -jar functions/cli/target/mta-sts.jar reports --endpoint-url http://127.0.0.1:%d%n", dynamoPort);
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }
}
