package dev.mtasts.cli;

import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.local.DataFolder;
import dev.mtasts.local.LocalStack;
import dev.mtasts.local.SamLocalEnv;
import dev.mtasts.reports.HttpReportHandler;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the stack locally, without AWS or Docker: DynamoDB Local in this process, the domains "
                + "table loaded from a file, the policy and reports functions behind an API Gateway-shaped HTTP "
                + "server on 127.0.0.1 or --bind ADDRESS (requests are routed by their Host header), and, with an AWS emulator, the "
                + "domain lifecycle fed by the table's stream as in AWS. It writes DIR/" + SamLocalEnv.FILE
                + " for sam local --env-vars. Ctrl-C stops it."})
final class ServeCommand implements Callable<Integer> {
    static final Path DEFAULT_DOMAINS = Path.of("infra", "local", "domains.json");

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--dynamodb-port", defaultValue = "8000", paramLabel = "PORT",
            description = "DynamoDB Local port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int dynamodbPort;

    @Option(names = "--aws-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the moto_server started here (default: a free one).")
    int awsPort;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = {"The address of this machine that DynamoDB Local, the HTTP server and the moto_server started "
                    + "here listen on (default: ${DEFAULT-VALUE}). For sam local on Linux: the Docker bridge's address "
                    + "(docker0, often 172.17.0.1), which containers reach as host.docker.internal.",
                "An address other than a loopback one is refused without --expose: none of the three asks who is "
                        + "calling."})
    String bind;

    @Option(names = "--expose", description = "Confirm a --bind address that is not a loopback one: anyone who "
            + "reaches it may read, change and delete the tables, and use the HTTP server and the moto_server, "
            + "without authentication.")
    boolean expose;

    @Option(names = "--domains", paramLabel = "FILE",
            description = "JSON array of rows {\"domain\",\"mode\",\"mx\":[...],\"max_age\"} to load into new "
                    + "tables (default: infra/local/domains.json when it exists). Tables found again in --data-dir "
                    + "keep their rows: a FILE given adds only the rows of domains they do not have.")
    Path domains;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".mta-sts/local",
            description = "Where the stack keeps its tables (DIR/dynamodb: domains, the stack's state, reports) and "
                    + "the raw report bodies it receives (DIR/reports), and finds them again at the next start "
                    + "(default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--in-memory", description = "Keep the tables in memory: every domain and report is gone when "
            + "serve stops (raw report bodies still go to DIR/reports).")
    boolean inMemory;

    @Option(names = "--aws-endpoint-url", paramLabel = "URL",
            description = {"An AWS emulator (e.g. moto_server) for Route53, ACM, API Gateway and S3: the domain lifecycle "
                    + "then runs here as in AWS, and raw reports go to its bucket " + LocalStack.BUCKET + ".",
                "Default: the AWS_ENDPOINT_URL setting, else a moto_server started here when one is on the PATH "
                        + "(with a hosted zone per domain of --domains), else none (--local-only)."})
    java.net.URI awsEndpoint;

    @Option(names = "--local-only", description = "No AWS emulator: serve the policies and reports only.")
    boolean localOnly;

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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String[] names = {"--port", "--dynamodb-port", "--aws-port"};
        int[] ports = {port, dynamodbPort, awsPort};
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] < 0 || ports[i] > 65535) {
                err.println("mta-sts: " + names[i] + " must be 0 to 65535 (got " + ports[i] + ")");
                return Main.ERROR;
            }
        }
        boolean configured = dev.mtasts.store.Dynamo.configuredEndpoint("ROUTE53", "Route53") != null;
        if (awsPort != 0 && (localOnly || awsEndpoint != null || configured)) {
            err.println("mta-sts: --aws-port is the port of the moto_server started here: not with "
                    + (localOnly ? "--local-only" : awsEndpoint != null ? "--aws-endpoint-url"
                    : "AWS_ENDPOINT_URL set (an emulator of your own)"));
            return Main.ERROR;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            err.println("mta-sts: --bind " + bind + ": no such address");
            return Main.ERROR;
        }
        if (!ofThisMachine(address)) {
            err.println("mta-sts: --bind " + bind + ": not an address of this machine (ip address lists them)");
            return Main.ERROR;
        }
        if (!address.isLoopbackAddress() && !expose) {
            err.print(refusal(address));
            err.flush();
            return Main.ERROR;
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
            return run(out, file, rows, address, t0);
        } catch (java.net.BindException e) {
            err.println("mta-sts: port " + port + " on " + address.getHostAddress() + " is in use; choose another with --port");
            return Main.ERROR;
        } catch (LocalDynamoDb.PortInUseException e) {
            err.println("mta-sts: " + e.getMessage() + "; choose another with --dynamodb-port");
            return Main.ERROR;
        } catch (MotoServer.PortInUseException e) {
            err.println("mta-sts: " + e.getMessage() + "; choose another with --aws-port");
            return Main.ERROR;
        } catch (LocalStack.CannotStart | DataFolder.InUse e) {
            err.println("mta-sts: " + e.getMessage());
            return Main.ERROR;
        }
    }

    /** Whether {@code address} is one this machine can listen on. */
    private static boolean ofThisMachine(InetAddress address) {
        try {
            return address.isLoopbackAddress() || address.isAnyLocalAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** Why a --bind address that is not a loopback one needs --expose: what anyone who reaches it could use. */
    private String refusal(InetAddress address) {
        String who = address.isAnyLocalAddress() ? "anyone who reaches this machine, at any of its addresses,"
                : "anyone who reaches " + address.getHostAddress();
        StringBuilder b = new StringBuilder("mta-sts: --bind " + bind + " is not a loopback address: " + who
                + " could use, without authentication,\n");
        b.append("  DynamoDB Local on ").append(portText(dynamodbPort)).append(": read, change and delete the domains, "
                + "the stack's state and the reports\n");
        b.append("  the HTTP server on ").append(portText(port)).append(": the policies, the reports page and POST ")
                .append(HttpReportHandler.PATH).append("\n");
        if (!localOnly && awsEndpoint == null && dev.mtasts.store.Dynamo.configuredEndpoint("ROUTE53", "Route53") == null) {
            b.append("  the moto_server started here on ").append(portText(awsPort))
                    .append(": its hosted zones, certificates, custom domains and bucket\n");
        }
        b.append("Add --expose to listen there all the same.\n");
        return b.toString();
    }

    private static String portText(int port) {
        return port == 0 ? "a free port" : "port " + port;
    }

    private int run(PrintWriter out, Path file, List<Object> rows, InetAddress address, long t0) throws Exception {
        try (LocalStack stack = LocalStack.open(new LocalStack.Options(address, dynamodbPort, awsPort, awsEndpoint,
                localOnly, dataDir, inMemory))) {
            // tables found again keep their rows: the file adds only new domains, and only when given
            List<Object> load = !stack.resumed() ? rows : domains == null ? List.of() : rows.stream()
                    .filter(r -> !(r instanceof java.util.Map<?, ?> m && m.get(dev.mtasts.core.DomainRow.DOMAIN) instanceof String d
                            && stack.domains().findKey(d).isPresent())).toList();
            stack.zonesFor(load);
            List<String> report = DomainsFile.load(stack.domains(), load, stack.awsEndpoint() != null);
            stack.serve(port, out);
            httpPort = stack.httpPort();
            dynamoPort = stack.dynamoPort();
            awsInUse = stack.awsEndpoint();
            banner(out, file, report, stack, (System.nanoTime() - t0) / 1_000_000);
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
        } finally {
            stopped.countDown();
        }
        return Main.OK;
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

    private void banner(PrintWriter out, Path file, List<String> report, LocalStack stack, long millis) {
        out.printf("mta-sts local stack up in %d ms%n", millis);
        String db = LocalDynamoDb.hostPort(stack.bind(), dynamoPort);
        String http = LocalDynamoDb.hostPort(stack.bind(), httpPort);
        out.printf("  DynamoDB Local  http://%s  (tables %s, and %s for the stack's own state)%n", db,
                DomainStore.DEFAULT_TABLE, StateStore.DEFAULT_TABLE);
        out.printf("  HTTP API        http://%s  (routed by Host: mta-sts.<domain>)%n", http);
        out.printf("  Reports page    http://%s/  (any other Host; read from the tables on each load)%n", http);
        out.printf("  Reports         POST %s -> table %s, raw bodies in %s%n", HttpReportHandler.PATH,
                ReportStore.DEFAULT_TABLE, stack.rawReports());
        out.println("  AWS             " + stack.describeAws());
        if (stack.describeOutsideDns() != null) {
            out.println("  Outside DNS     " + stack.describeOutsideDns());
        }
        out.println("  Data            " + stack.describeData());
        out.println("  sam local       --env-vars " + stack.samLocalEnv() + "  (these ports, at " + SamLocalEnv.HOST + ")");
        if (!stack.bind().isLoopbackAddress()) {
            out.println("  Exposed         " + (stack.bind().isAnyLocalAddress() ? "on every address of this machine"
                    : "on " + stack.bind().getHostAddress()) + ", without authentication (--bind, --expose)");
        }
        if (stack.resumed()) {
            out.println(stack.kept().isEmpty() ? "No domains kept in " + dataDir + "." : "Domains kept in " + dataDir + ":");
            stack.kept().forEach(line -> out.println("  " + line));
            if (!report.isEmpty()) {
                out.println("Added from " + file + ":");
            }
        } else {
            out.println(file == null ? "No domains file: the table is empty." : "Domains from " + file + ":");
        }
        report.forEach(line -> out.println("  " + line));
        String example = java.util.stream.Stream.concat(stack.kept().stream(), report.stream())
                .filter(l -> l.contains(", id ")).findFirst()
                .map(l -> l.substring(0, l.indexOf(' '))).orElse("example.com");
        out.println("Try:");
        out.printf("  curl -H 'Host: mta-sts.%s' http://%s/.well-known/mta-sts.txt%n", example, http);
        out.printf("  java -jar functions/cli/target/mta-sts.jar domain list --endpoint-url http://%s%n", db);
        if (stack.awsEndpoint() != null) {
            out.printf("  java -jar functions/cli/target/mta-sts.jar domain add example.net --endpoint-url http://%s%n", db);
        }
        if (java.util.stream.Stream.concat(stack.kept().stream(), report.stream()).anyMatch(l -> l.startsWith("example.org "))) {
            // the sample report is about example.org: only a stack serving it stores it
            out.printf("  curl -H 'Host: mta-sts.example.org' -H 'Content-Type: application/tlsrpt+json' --data-binary "
                    + "@'infra/samples/microsoft.com!example.org!1795392000!1795478399.json' http://%s%s%n",
                    http, HttpReportHandler.PATH);
        }
        out.printf("  java -jar functions/cli/target/mta-sts.jar reports --endpoint-url http://%s%n", db);
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }
}
