package dev.mtasts.bench;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * The benchmarks that run on the JVM: policy cold start against a baseline, SnapStart priming and
 * artifacts. Each figure is measured side by side in this run. Usage: {@code Bench ROOT [RUNS]}.
 */
public final class Bench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        try (LocalDynamoDb dynamo = LocalDynamoDb.start()) {
            DomainStore store = new DomainStore(Dynamo.create(dynamo.endpoint(), null), DomainStore.DEFAULT_TABLE)
                    .withState(StateStore.DEFAULT_TABLE);
            store.createTable();
            store.state().createTable();
            Policy enforce = Policy.of("enforce", List.of("mail.example.com", "*.mx.example.net"), "604800");
            store.put(new DomainRow(DomainName.parse("example.com"), enforce));
            // an enforce policy is served once the lifecycle has accepted it, as for a domain at rest
            store.state().markLocal("example.com", Lifecycle.start(Instant.now()).withAccepted(enforce.id()));
            stamp("cold start");
            coldStart(root, dynamo, runs);
            stamp("artifacts");
            artifacts(root);
            stamp("closing DynamoDB Local");
        }
        stamp("done");
        // DynamoDB Local leaves a non-daemon worker behind that would keep this JVM for minutes
        System.exit(0);
    }

    /** Fresh JVM to first policy response, against a program doing only the same read; alternating runs. */
    static void coldStart(Path root, LocalDynamoDb dynamo, int runs) throws Exception {
        String cp = root.resolve("functions/policy/target/policy.jar") + java.io.File.pathSeparator
                + root.resolve("bench/target/classes");
        Map<String, String> env = Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local",
                "AWS_SECRET_ACCESS_KEY", "local", "DOMAINS_TABLE", DomainStore.DEFAULT_TABLE,
                "STATE_TABLE", StateStore.DEFAULT_TABLE,
                "AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        // the Lambda java21 runtime's default: tiered compilation stops at C1
        List<String> jvm = List.of("-XX:TieredStopAtLevel=1");
        List<Long> handler = new ArrayList<>();
        List<Long> baseline = new ArrayList<>();
        run(cp, jvm, env, FirstGetItem.class, List.of()); // warm the OS file cache for both
        for (int i = 0; i < runs; i++) {
            handler.add(run(cp, jvm, env, FirstPolicy.class, List.of()).millis);
            baseline.add(run(cp, jvm, env, FirstGetItem.class, List.of()).millis);
        }
        long h = median(handler);
        long b = median(baseline);
        System.out.println();
        System.out.printf("Policy cold start (%d alternating runs each, fresh JVM to first response)%n", runs);
        System.out.printf("   handler   median %4d ms  (min %d, max %d)%n", h, min(handler), max(handler));
        System.out.printf("   baseline  median %4d ms  (min %d, max %d)   same client, same BatchGetItem%n", b, min(baseline), max(baseline));
        System.out.printf("   ratio     %.2f  (target <= 1.3)%n", (double) h / b);
        long ch = classesLoaded(cp, jvm, env, FirstPolicy.class, List.of());
        long cb = classesLoaded(cp, jvm, env, FirstGetItem.class, List.of());
        System.out.printf("   classes loaded: handler %d, baseline %d (+%d)%n", ch, cb, ch - cb);

        Result plain = run(cp, jvm, env, FirstPolicy.class, List.of());
        Result primed = run(cp, jvm, env, FirstPolicy.class, List.of("prime"));
        System.out.println();
        System.out.println("SnapStart priming (classes loaded, in process)");
        System.out.println("   without priming: " + plain.out);
        System.out.println("   with priming:    " + primed.out);
    }

    record Result(long millis, String out) {
    }

    static Result run(String cp, List<String> jvm, Map<String, String> env, Class<?> main, List<String> args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", cp, main.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        int exit = p.waitFor();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (exit != 0 || !out.contains("status=200")) {
            throw new IllegalStateException(main.getSimpleName() + " failed: " + out);
        }
        return new Result(ms, out.lines().reduce((a, b) -> b).orElse(""));
    }

    static long classesLoaded(String cp, List<String> jvm, Map<String, String> env, Class<?> main, List<String> args)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("classload", ".log");
        List<String> flags = new ArrayList<>(jvm);
        flags.add("-Xlog:class+load=info:file=" + log);
        run(cp, flags, env, main, args);
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("source:")).count();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Size of each function's artifact, and what it must not contain. */
    static void artifacts(Path root) throws IOException {
        System.out.println();
        System.out.println("Deployment artifacts");
        for (String f : List.of("policy", "reports", "lifecycle")) {
            Path jar = root.resolve("functions/" + f + "/target/" + f + ".jar");
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                long apache = zip.stream().filter(e -> e.getName().startsWith("org/apache/http")
                        || e.getName().startsWith("org/apache/hc/")).count();
                long netty = zip.stream().filter(e -> e.getName().startsWith("io/netty")).count();
                var services = new java.util.TreeSet<String>();
                zip.stream().map(e -> e.getName()).filter(n -> n.startsWith("software/amazon/awssdk/services/"))
                        .map(n -> n.split("/")).filter(parts -> parts.length > 5).map(parts -> parts[4])
                        .forEach(services::add);
                long eventstream = zip.stream().filter(e -> e.getName().contains("/eventstream/")).count();
                System.out.printf("   %-13s %6.1f MB  %5d entries  SDK services %s  apache %d, netty %d, eventstream %d%n",
                        f + ".jar", Files.size(jar) / 1e6, zip.size(), services, apache, netty, eventstream);
            }
        }
    }

    private static final long START = System.nanoTime();

    static void stamp(String what) {
        System.err.printf("[%6.1f s] %s%n", (System.nanoTime() - START) / 1e9, what);
    }

    static long median(List<Long> xs) {
        long[] a = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return a[a.length / 2];
    }

    static long min(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).min().orElse(0);
    }

    static long max(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).max().orElse(0);
    }

}
