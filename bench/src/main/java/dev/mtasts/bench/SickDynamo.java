package dev.mtasts.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Policy;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.policy.PolicyHandler;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The policy function against a sick DynamoDB: a TCP proxy between the function's DynamoDB client and DynamoDB
 * Local passes, black-holes, delays, refuses or resets, and each request's answer and time are taken through the
 * real handler, built as Lambda builds it (no-argument constructor, Lambda's environment variables). Target: a sick
 * table is a 503 with Retry-After within 1 s, well inside a sender's ~4 s; the first request after the table is
 * healthy again is a 200; healthy load stays all 200.
 *
 * <p>Usage: {@code SickDynamo [N]}, with {@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}
 * and {@code AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:PORT} (the proxy listens there) set, as bench/policy-sick.sh
 * does.
 */
public final class SickDynamo {
    static final String DOMAIN = "sick.example";
    static final long TARGET_MS = 1000;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("first")) {
            // a fresh container's first request: the handler built, then asked once
            long t0 = System.nanoTime();
            PolicyHandler handler = new PolicyHandler();
            long built = (System.nanoTime() - t0) / 1_000_000;
            Answer a = ask(handler);
            System.out.println("status=" + a.status + " retryAfter=" + a.retryAfter + " init=" + built + " ms=" + a.millis);
            System.exit(0);
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String endpoint = System.getenv("AWS_ENDPOINT_URL_DYNAMODB");
        if (endpoint == null || System.getenv("AWS_ACCESS_KEY_ID") == null) {
            System.err.println("set AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:PORT and Lambda's AWS_* variables "
                    + "(bench/policy-sick.sh does)");
            System.exit(2);
        }
        int exit;
        try (LocalDynamoDb dynamo = LocalDynamoDb.start();
                Proxy proxy = Proxy.start(URI.create(endpoint).getPort(), dynamo.port())) {
            DomainStore setup = new DomainStore(Dynamo.create(dynamo.endpoint(), null), DomainStore.DEFAULT_TABLE);
            setup.createTable();
            new dev.mtasts.store.StateStore(Dynamo.create(dynamo.endpoint(), null),
                    dev.mtasts.store.StateStore.DEFAULT_TABLE).createTable();
            // testing is served at once; an enforce row would wait for the lifecycle's MX check
            setup.put(new DomainRow(DomainName.parse(DOMAIN), Policy.of("testing", List.of("mail." + DOMAIN), "86400")));
            PolicyHandler handler = new PolicyHandler();
            exit = run(handler, proxy, n);
        }
        // DynamoDB Local leaves a non-daemon worker behind that would keep this JVM for minutes
        System.exit(exit);
    }

    static int run(PolicyHandler handler, Proxy proxy, int n) throws Exception {
        List<Answer> first = repeat(handler, 5);
        System.out.printf("Healthy first: %s (first request %d ms, including the client's start)%n",
                statuses(first), first.get(0).millis);
        if (first.stream().anyMatch(a -> a.status != 200)) {
            System.out.println("the healthy table does not answer 200: nothing to measure");
            return 1;
        }
        repeat(handler, 200); // warm: compiled code and pooled connections, as in a warm Lambda container
        boolean allMet = true;
        System.out.println();
        System.out.printf("Sick table, %d sequential requests per mode through PolicyHandler (target: 503 with "
                + "Retry-After within %d ms), then the proxy back to pass%n", n, TARGET_MS);
        System.out.printf("  %-11s %-16s %-11s %8s %8s   %-32s %s%n", "mode", "status", "Retry-After", "median",
                "max", "after: first, next 5 (ms)", "target");
        for (Mode mode : List.of(Mode.BLACK_HOLE, Mode.DELAY, Mode.REFUSE, Mode.RESET)) {
            repeat(handler, 20); // pooled connections from a healthy period: the sickness finds them too
            proxy.mode(mode);
            List<Answer> sick = repeat(handler, n);
            proxy.mode(Mode.PASS);
            List<Answer> after = repeat(handler, 6);
            boolean all503 = sick.stream().allMatch(a -> a.status == 503 && "5".equals(a.retryAfter));
            long max = max(sick);
            boolean recovered = after.stream().allMatch(a -> a.status == 200) && max(after) < TARGET_MS;
            boolean met = all503 && max < TARGET_MS && recovered;
            allMet &= met;
            System.out.printf("  %-11s %-16s %-11s %5d ms %5d ms   %-32s %s%n", mode.label, statuses(sick),
                    retryAfters(sick), median(sick), max,
                    statuses(after.subList(0, 1)) + " " + after.get(0).millis + ", " + statuses(after.subList(1, 6))
                            + " <= " + max(after.subList(1, 6)),
                    "target 503 within 1 s: " + (met ? "met" : "missed"
                            + (all503 ? "" : " (not all 503)") + (max < TARGET_MS ? "" : " (slow)")
                            + (recovered ? "" : " (no quick 200 after)")));
        }
        System.out.println("  and a fresh JVM's first request (3 runs each), as in a new Lambda container:");
        for (String[] cold : new String[][] {{"black-hole", ""}, {"refuse", ""},
                {"black-hole", "credentials"}}) {
            Mode mode = cold[0].equals("refuse") ? Mode.REFUSE : Mode.BLACK_HOLE;
            boolean container = !cold[1].isEmpty();
            proxy.mode(mode);
            List<Answer> fresh = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fresh.add(firstInFreshJvm(proxy.port, container));
            }
            proxy.mode(Mode.PASS);
            boolean met = fresh.stream().allMatch(a -> a.status == 503 && "5".equals(a.retryAfter))
                    && max(fresh) < TARGET_MS;
            allMet &= met;
            System.out.printf("  %-11s %-16s %-11s %5d ms %5d ms   %-32s %s%n", mode.label, statuses(fresh),
                    retryAfters(fresh), median(fresh), max(fresh), container
                            ? "credentials endpoint silent too" : "cold",
                    "target 503 within 1 s: " + (met ? "met" : "missed"));
        }
        System.out.println();
        System.out.println("Load: 8 threads for 5 s each");
        Load healthy = load(handler, 8, 5_000);
        boolean healthyMet = healthy.errors() == 0;
        allMet &= healthyMet;
        System.out.printf("  %-34s %s%n", "healthy", healthy + "   target 100% 200: " + (healthyMet ? "met" : "missed"));
        proxy.mode(Mode.SOME_BLACK_HOLED);
        Load partial = load(handler, 8, 5_000);
        proxy.mode(Mode.PASS);
        boolean partialMet = partial.maxMillis < TARGET_MS;
        allMet &= partialMet;
        System.out.printf("  %-34s %s%n", "1 new connection in 4 black-holed", partial
                + "   target every answer within 1 s: " + (partialMet ? "met" : "missed"));
        Load again = load(handler, 8, 2_000);
        boolean againMet = again.errors() == 0;
        allMet &= againMet;
        System.out.printf("  %-34s %s%n", "healthy again", again + "   target 100% 200: " + (againMet ? "met" : "missed"));
        System.out.println();
        System.out.println("All targets " + (allMet ? "met" : "NOT met"));
        return allMet ? 0 : 1;
    }

    record Answer(int status, String retryAfter, long millis) {
    }

    /**
     * The first request of a fresh JVM (Lambda's C1-only flags), the table as the proxy has it now. With
     * {@code container}, credentials come as a SnapStart function's do, from a container endpoint: the proxy too.
     */
    static Answer firstInFreshJvm(int proxyPort, boolean container) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SickDynamo.class.getName(), "first").redirectError(ProcessBuilder.Redirect.DISCARD);
        if (container) {
            pb.environment().remove("AWS_ACCESS_KEY_ID");
            pb.environment().remove("AWS_SECRET_ACCESS_KEY");
            pb.environment().put("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:" + proxyPort + "/credentials");
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        var m = java.util.regex.Pattern.compile("status=(\\d+) retryAfter=(\\S+) init=\\d+ ms=(\\d+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("fresh JVM said: " + out);
        }
        return new Answer(Integer.parseInt(m.group(1)), m.group(2).equals("null") ? null : m.group(2),
                Long.parseLong(m.group(3)));
    }

    static Answer ask(PolicyHandler handler) {
        long t0 = System.nanoTime();
        APIGatewayV2HTTPResponse r = handler.handleRequest(request(), null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Answer(r.getStatusCode(), r.getHeaders().get("Retry-After"), ms);
    }

    static APIGatewayV2HTTPEvent request() {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRawPath(PolicyHandler.POLICY_PATH)
                .withHeaders(Map.of("host", "mta-sts." + DOMAIN))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build()).build())
                .build();
    }

    static List<Answer> repeat(PolicyHandler handler, int n) {
        List<Answer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ask(handler));
        }
        return out;
    }

    record Load(int requests, Map<Integer, Integer> statuses, long p50, long p99, long maxMillis, double seconds) {
        int errors() {
            return requests - statuses.getOrDefault(200, 0);
        }

        @Override
        public String toString() {
            return String.format("%6d requests (%5.0f/s)  %-18s p50 %3d ms  p99 %4d ms  max %4d ms  errors %d",
                    requests, requests / seconds, statuses, p50, p99, maxMillis, errors());
        }
    }

    static Load load(PolicyHandler handler, int threads, long millis) throws InterruptedException {
        List<Answer> all = Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + millis * 1_000_000;
        long t0 = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                List<Answer> mine = new ArrayList<>();
                while (System.nanoTime() < end) {
                    mine.add(ask(handler));
                }
                all.addAll(mine);
            }, "load-" + t);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] ms = all.stream().mapToLong(Answer::millis).sorted().toArray();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        all.forEach(a -> statuses.merge(a.status, 1, Integer::sum));
        return new Load(ms.length, statuses, ms[ms.length / 2], ms[(int) Math.min(ms.length - 1, ms.length * 0.99)],
                ms[ms.length - 1], seconds);
    }

    static String statuses(List<Answer> answers) {
        Map<Integer, Integer> counts = new java.util.TreeMap<>();
        answers.forEach(a -> counts.merge(a.status, 1, Integer::sum));
        StringBuilder b = new StringBuilder();
        counts.forEach((s, c) -> b.append(b.length() == 0 ? "" : " ").append(c).append("x").append(s));
        return b.toString();
    }

    static String retryAfters(List<Answer> answers) {
        return answers.stream().map(a -> a.retryAfter == null ? "-" : a.retryAfter).distinct().sorted()
                .reduce((a, b) -> a + "," + b).orElse("-");
    }

    static long median(List<Answer> answers) {
        long[] ms = answers.stream().mapToLong(Answer::millis).sorted().toArray();
        return ms[ms.length / 2];
    }

    static long max(List<Answer> answers) {
        return answers.stream().mapToLong(Answer::millis).max().orElse(0);
    }

    /** What the proxy does with the bytes a client sends, looked at for each read, so pooled connections are hit too. */
    enum Mode {
        PASS("pass"),
        /** Read and never answer: a table behind a network that drops packets. */
        BLACK_HOLE("black-hole"),
        /** Answer only after 2 s: a table that is overloaded. */
        DELAY("delay 2 s"),
        /** No listener: connection refused, and open connections reset. */
        REFUSE("refuse"),
        /** Connections accepted, then reset (RST). */
        RESET("reset"),
        /** Every fourth new connection is black-holed for its life; the others pass. */
        SOME_BLACK_HOLED("some");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** A TCP proxy on 127.0.0.1 in front of DynamoDB Local: plain sockets, two threads per connection. */
    static final class Proxy implements AutoCloseable {
        private final int port;
        private final int upstream;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicLong delayed = new AtomicLong();
        private volatile Mode mode = Mode.PASS;
        private volatile ServerSocket listener;

        private Proxy(int port, int upstream) {
            this.port = port;
            this.upstream = upstream;
        }

        static Proxy start(int port, int upstream) throws IOException {
            Proxy p = new Proxy(port, upstream);
            p.listen();
            return p;
        }

        synchronized void mode(Mode next) throws IOException {
            Mode was = mode;
            mode = next;
            if (next == Mode.REFUSE) {
                listener.close();
                for (Socket s : open) {
                    reset(s); // the host went away: its connections are reset, new ones refused
                }
            } else if (was == Mode.REFUSE) {
                listen();
            }
        }

        private void listen() throws IOException {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            listener = s;
            Thread accept = new Thread(() -> accept(s), "proxy-accept");
            accept.setDaemon(true);
            accept.start();
        }

        private void accept(ServerSocket s) {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Thread t = new Thread(() -> serve(client), "proxy-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            open.add(client);
            boolean holed = mode == Mode.SOME_BLACK_HOLED && connections.incrementAndGet() % 4 == 0;
            try (client; Socket up = new Socket(InetAddress.getLoopbackAddress(), upstream)) {
                up.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                Thread back = new Thread(() -> pump(up, client), "proxy-back");
                back.setDaemon(true);
                back.start();
                InputStream in = client.getInputStream();
                OutputStream out = up.getOutputStream();
                byte[] buf = new byte[16384];
                for (int r; (r = in.read(buf)) >= 0; ) {
                    Mode m = mode;
                    if (holed || m == Mode.BLACK_HOLE) {
                        continue; // read, never answered
                    }
                    if (m == Mode.RESET || m == Mode.REFUSE) {
                        reset(client);
                        return;
                    }
                    if (m == Mode.DELAY) {
                        delayed.incrementAndGet();
                        Thread.sleep(2_000);
                    }
                    out.write(buf, 0, r);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the client or DynamoDB Local closed the connection
            } finally {
                open.remove(client);
            }
        }

        private static void pump(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException e) {
                    // already closed
                }
            }
        }

        private static void reset(Socket s) {
            try {
                s.setSoLinger(true, 0); // close sends RST, not FIN
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
