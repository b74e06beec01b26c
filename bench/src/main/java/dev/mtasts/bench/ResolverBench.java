package dev.mtasts.bench;

import dev.mtasts.sender.DnsServer;
import dev.mtasts.sender.PolicyServer;
import dev.mtasts.sender.TestCa;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * {@code mta-sts resolver} beside Debian's postfix-mta-sts-resolver (mta-sts-daemon) on the same domains, served by
 * the same DNS server (127.0.0.2:53) and HTTPS host (127.0.0.2:443, a test CA both trust), asked by the same socketmap
 * client over the same number of connections: cold lookups (nothing cached: DNS and an HTTPS fetch each), lookups
 * from the cache, memory and CPU. Rounds alternate which resolver goes first. Ours runs as the systemd unit runs it.
 * Usage, from the repository's root: {@code ResolverBench MTA_STS_JAR [DOMAINS] [CONNECTIONS] [SECONDS]}; run by
 * bench/resolver.sh, as root.
 */
public final class ResolverBench {
    static final InetAddress HOST = address("127.0.0.2");
    /** The systemd unit users install: the resolver runs with its JVM options and environment. */
    static final Path UNIT = Path.of("infra/systemd/mta-sts-resolver.service");

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        int domains = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        Path work = Files.createTempDirectory("resolver-bench");
        List<String> setA = names("a", domains / 2);
        List<String> setB = names("b", domains / 2);
        List<String> all = new ArrayList<>(setA);
        all.addAll(setB);

        TestCa ca = new TestCa();
        // each policy host its own certificate, as on the Internet (one certificate for 400 names made every handshake
        // parse, decrypt and match all 400 names)
        TestCa.Issued key = ca.issue("mta-sts." + all.get(0));
        try (PolicyServer https = new PolicyServer(ca, new InetSocketAddress(HOST, 443));
                DnsServer dns = new DnsServer(new InetSocketAddress(HOST, 53))) {
            for (String d : all) {
                ca.serve("mta-sts." + d, ca.issueOnKeyOf(key, "mta-sts." + d));
                https.answer("mta-sts." + d, PolicyServer.Answer.policy("version: STSv1\r\nmode: enforce\r\nmx: mail." + d
                        + "\r\nmx: *.mx." + d + "\r\nmax_age: 604800\r\n"));
                dns.add("_mta-sts." + d + ". 300 IN TXT \"v=STSv1; id=20250601\"")
                        .add("mta-sts." + d + ". 300 IN A 127.0.0.2")
                        .add(d + ". 300 IN MX 10 mail." + d + ".")
                        .add(d + ". 300 IN MX 20 mx1.mx." + d + ".");
            }
            Path caPem = ca.pem(work.resolve("ca.pem"));
            Files.writeString(work.resolve("resolv.conf"), "nameserver 127.0.0.2\noptions attempts:2 timeout:4\n");
            int oursPort = freePort();
            int theirsPort = freePort();
            // the same settings for both: default timeouts, a persistent cache, a grace longer than the run
            Files.writeString(work.resolve("ours.yml"), "host: 127.0.0.1\nport: " + oursPort + "\ncache_grace: 3600\n"
                    + "cache:\n  type: file\n  options:\n    filename: " + work.resolve("ours-cache.jsonl") + "\n");
            Files.writeString(work.resolve("theirs.yml"), "host: 127.0.0.1\nport: " + theirsPort + "\ncache_grace: 3600\n"
                    + "cache:\n  type: sqlite\n  options:\n    filename: " + work.resolve("theirs-cache.db") + "\n");

            // the JVM options and environment of the systemd unit, unless RESOLVER_JAVA_OPTS says otherwise
            Unit unit = Unit.read(UNIT);
            List<String> java = new ArrayList<>(List.of("java"));
            String opts = System.getenv().getOrDefault("RESOLVER_JAVA_OPTS", unit.javaOptions());
            opts = classDataArchive(opts, jar, work, unit.environment(), List.of("--config", work.resolve("ours.yml").toString(),
                    "--dns-server", "127.0.0.2:53", "--ca-file", caPem.toString()));
            java.addAll(Arrays.asList(opts.trim().split("\\s+")));
            java.addAll(List.of("-jar", jar.toString(), "--config", work.resolve("ours.yml").toString(),
                    "--dns-server", "127.0.0.2:53", "--ca-file", caPem.toString()));
            Daemon ours = Daemon.start("mta-sts resolver", oursPort, work.resolve("ours.log"), unit.environment(),
                    java.toArray(String[]::new));
            Daemon theirs = Daemon.start("postfix-mta-sts-resolver", theirsPort, work.resolve("theirs.log"), Map.of(),
                    "unshare", "-m", "sh", "-c", "mount --bind " + work.resolve("resolv.conf") + " /etc/resolv.conf && "
                            + "exec env SSL_CERT_FILE=" + caPem + " /usr/bin/mta-sts-daemon -c " + work.resolve("theirs.yml"));
            try {
                long[] idle = {ours.rssKb(), theirs.rssKb()};
                System.out.printf(Locale.ROOT, "%d domains (enforce policies, 2 MX hosts each), %d connections, %d s per"
                        + " cached-lookup round; %s%n  mta-sts resolver as %s runs it: %sjava %s%n", domains, connections,
                        seconds, machine(), UNIT.getFileName(), unit.environment().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue() + " ").collect(Collectors.joining()), opts);
                System.out.println("  answer for " + setA.get(0) + ":");
                // the first lookup after the start: a domain not cached, and for ours the JVM's first fetch
                long[] firstMillis = new long[2];
                long t = System.nanoTime();
                String answer = lookup(ours.port, setA.get(0));
                firstMillis[0] = (System.nanoTime() - t) / 1_000_000;
                System.out.println("    mta-sts resolver          " + answer);
                t = System.nanoTime();
                answer = lookup(theirs.port, setA.get(0));
                firstMillis[1] = (System.nanoTime() - t) / 1_000_000;
                System.out.println("    postfix-mta-sts-resolver  " + answer);

                // the first half right after start, the second with each resolver's code paths warm
                Result[] first = {new Result(), new Result()};
                Result[] second = {new Result(), new Result()};
                run(first, 0, ours, setA.subList(1, setA.size()), connections, 0);
                run(first, 1, theirs, setA.subList(1, setA.size()), connections, 0);
                run(second, 1, theirs, setB, connections, 0);
                run(second, 0, ours, setB, connections, 0);
                Result[] cold = {first[0].plus(second[0]), first[1].plus(second[1])};

                Result[] warm = {new Result(), new Result()};
                for (int round = 0; round < 3; round++) {
                    int leader = round % 2;
                    run(warm, leader, leader == 0 ? ours : theirs, all, connections, seconds);
                    run(warm, 1 - leader, leader == 0 ? theirs : ours, all, connections, seconds);
                }
                long[] peak = {ours.peakKb(), theirs.peakKb()};
                long[] rss = {ours.rssKb(), theirs.rssKb()};
                report(firstMillis, cold, first, second, warm, idle, rss, peak, ours, theirs);
            } finally {
                ours.stop();
                theirs.stop();
            }
        }
    }

    static void report(long[] firstMillis, Result[] cold, Result[] first, Result[] second, Result[] warm, long[] idle,
            long[] rss, long[] peak, Daemon ours, Daemon theirs) {
        System.out.println();
        System.out.printf(Locale.ROOT, "  %-44s %24s %34s %15s%n", "", "ours: mta-sts resolver", "theirs: postfix-mta-sts-resolver",
                "ours ÷ theirs");
        row("ready after start (s)", ours.readyMillis / 1000.0, theirs.readyMillis / 1000.0, "%.2f", false);
        row("first lookup after start (ms)", firstMillis[0], firstMillis[1], "%.0f", false);
        row("cold: lookups/s", cold[0].perSecond(), cold[1].perSecond(), "%.0f", true);
        row("cold: latency p50 (ms)", cold[0].percentile(50) / 1e6, cold[1].percentile(50) / 1e6, "%.1f", false);
        row("cold: latency p99 (ms)", cold[0].percentile(99) / 1e6, cold[1].percentile(99) / 1e6, "%.1f", false);
        row("cold: resolver CPU per lookup (ms)", cold[0].cpuMillis / (double) cold[0].count,
                cold[1].cpuMillis / (double) cold[1].count, "%.1f", false);
        row("cold, first half: resolver CPU per lookup", first[0].cpuMillis / (double) first[0].count,
                first[1].cpuMillis / (double) first[1].count, "%.1f", false);
        row("cold, second half: resolver CPU per lookup", second[0].cpuMillis / (double) second[0].count,
                second[1].cpuMillis / (double) second[1].count, "%.1f", false);
        row("cold, second half: lookups/s", second[0].perSecond(), second[1].perSecond(), "%.0f", true);
        System.out.printf(Locale.ROOT, "  %-44s %24s %34s%n", "cold: answered with the policy",
                cold[0].ok + "/" + cold[0].count, cold[1].ok + "/" + cold[1].count);
        row("cached: lookups/s", warm[0].perSecond(), warm[1].perSecond(), "%.0f", true);
        row("cached: latency p50 (µs)", warm[0].percentile(50) / 1e3, warm[1].percentile(50) / 1e3, "%.0f", false);
        row("cached: latency p99 (µs)", warm[0].percentile(99) / 1e3, warm[1].percentile(99) / 1e3, "%.0f", false);
        row("cached: resolver CPU per 1,000 lookups (ms)", warm[0].cpuMillis * 1000.0 / warm[0].count,
                warm[1].cpuMillis * 1000.0 / warm[1].count, "%.1f", false);
        row("memory: RSS idle after start (MB)", idle[0] / 1024.0, idle[1] / 1024.0, "%.0f", false);
        row("memory: RSS after the run (MB)", rss[0] / 1024.0, rss[1] / 1024.0, "%.0f", false);
        row("memory: peak RSS (MB)", peak[0] / 1024.0, peak[1] / 1024.0, "%.0f", false);
        System.out.println("  (ours ÷ theirs: mta-sts resolver's figure divided by postfix-mta-sts-resolver's; above 1 is more of it"
                + " for ours: better for lookups/s, worse for latency, CPU, memory and time)");
    }

    static void row(String label, double ours, double theirs, String format, boolean more) {
        System.out.printf(Locale.ROOT, "  %-44s %24s %34s %14.2fx%n", label, String.format(Locale.ROOT, format, ours),
                String.format(Locale.ROOT, format, theirs), theirs == 0 ? 0 : ours / theirs);
    }

    /** Lookups over {@code connections} connections: each domain once (cold), or round and round for some seconds. */
    static void run(Result[] results, int which, Daemon daemon, List<String> keys, int connections, int seconds)
            throws Exception {
        Result r = results[which];
        long cpu0 = daemon.cpuMillis();
        long t0 = System.nanoTime();
        long until = t0 + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        List<long[]> samples = new ArrayList<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong done = new AtomicLong();
        for (int c = 0; c < connections; c++) {
            int lane = c;
            long[] mine = new long[seconds == 0 ? keys.size() / connections + 1 : 2_000_000];
            samples.add(mine);
            Thread t = new Thread(() -> {
                int n = 0;
                try (Client client = new Client(daemon.port)) {
                    for (int i = lane; seconds == 0 ? i < keys.size() : System.nanoTime() < until; i += connections) {
                        String key = keys.get(i % keys.size());
                        long s = System.nanoTime();
                        String reply = client.ask("postfix " + key);
                        if (n < mine.length) {
                            mine[n++] = System.nanoTime() - s;
                        }
                        if (reply.startsWith("OK secure match=")) {
                            ok.incrementAndGet();
                        }
                        done.incrementAndGet();
                    }
                } catch (IOException e) {
                    System.err.println(daemon.name + ": " + e);
                }
                mine[mine.length - 1] = n; // how many samples this lane holds
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        r.nanos += System.nanoTime() - t0;
        r.cpuMillis += daemon.cpuMillis() - cpu0;
        r.count += done.get();
        r.ok += ok.get();
        for (long[] s : samples) {
            int n = (int) s[s.length - 1];
            r.latencies.add(Arrays.copyOf(s, Math.min(n, s.length - 1)));
        }
    }

    static final class Result {
        long nanos;
        long count;
        long ok;
        long cpuMillis;
        final List<long[]> latencies = new ArrayList<>();

        Result plus(Result other) {
            Result r = new Result();
            r.nanos = nanos + other.nanos;
            r.count = count + other.count;
            r.ok = ok + other.ok;
            r.cpuMillis = cpuMillis + other.cpuMillis;
            r.latencies.addAll(latencies);
            r.latencies.addAll(other.latencies);
            return r;
        }

        double perSecond() {
            return count / (nanos / 1e9);
        }

        double percentile(int p) {
            long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            return all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) Math.ceil(all.length * p / 100.0) - 1)];
        }
    }

    /** One socketmap connection, as Postfix's SMTP client keeps one. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        String ask(String request) throws IOException {
            byte[] r = request.getBytes(StandardCharsets.UTF_8);
            out.write((r.length + ":" + request + ",").getBytes(StandardCharsets.UTF_8));
            out.flush();
            int length = 0;
            for (int c = in.read(); c != ':'; c = in.read()) {
                if (c < '0' || c > '9') {
                    throw new IOException("not a netstring");
                }
                length = length * 10 + c - '0';
            }
            byte[] reply = in.readNBytes(length);
            if (in.read() != ',') {
                throw new IOException("not a netstring");
            }
            return new String(reply, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static String lookup(int port, String domain) throws IOException {
        try (Client c = new Client(port)) {
            return c.ask("postfix " + domain);
        }
    }

    /** A resolver process: its pid for /proc, its port, how long it took to answer connections. */
    static final class Daemon {
        final String name;
        final Process process;
        final int port;
        long readyMillis;

        Daemon(String name, Process process, int port) {
            this.name = name;
            this.process = process;
            this.port = port;
        }

        static Daemon start(String name, int port, Path log, Map<String, String> environment, String... command)
                throws Exception {
            long t0 = System.nanoTime();
            ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            b.environment().putAll(environment);
            Process p = b.start();
            Daemon d = new Daemon(name, p, port);
            while (true) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    break;
                } catch (IOException notYet) {
                    if (!p.isAlive() || System.nanoTime() - t0 > 60_000_000_000L) {
                        throw new IllegalStateException(name + " did not start:\n" + Files.readString(log));
                    }
                    Thread.sleep(10);
                }
            }
            d.readyMillis = (System.nanoTime() - t0) / 1_000_000;
            return d;
        }

        long rssKb() throws IOException {
            return status("VmRSS:");
        }

        long peakKb() throws IOException {
            return status("VmHWM:");
        }

        private long status(String field) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return 0;
        }

        /** User and system CPU time so far, from /proc/PID/stat (clock ticks of 10 ms). */
        long cpuMillis() throws IOException {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * The unit's {@code -XX:SharedArchiveFile=} names the class-data archive the install step makes for the installed
     * jar; the bench makes one the same way for the jar it runs (not counted in its start) and runs with that one.
     */
    static String classDataArchive(String opts, Path jar, Path work, Map<String, String> environment, List<String> args)
            throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-XX:SharedArchiveFile=\\S+").matcher(opts);
        if (!m.find()) {
            return opts;
        }
        Path archive = work.resolve("mta-sts-resolver.jsa");
        String without = m.replaceAll("").trim();
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(Arrays.asList(without.split("\\s+")));
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString(), "--check-config"));
        command.addAll(args);
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("archive.log").toFile());
        b.environment().putAll(environment);
        if (b.start().waitFor() != 0 || !Files.exists(archive)) {
            throw new IllegalStateException("making the class-data archive failed:\n" + Files.readString(work.resolve("archive.log")));
        }
        return without + " -XX:SharedArchiveFile=" + archive;
    }

    /** ExecStart's JVM options (between java and -jar) and the Environment= settings of a systemd unit. */
    record Unit(String javaOptions, Map<String, String> environment) {
        static Unit read(Path file) throws IOException {
            String text = Files.readString(file).replace("\\\n", " ");
            String options = null;
            Map<String, String> environment = new LinkedHashMap<>();
            for (String line : text.lines().map(String::strip).toList()) {
                if (line.startsWith("ExecStart=")) {
                    String[] words = line.substring("ExecStart=".length()).strip().split("\\s+");
                    int jar = Arrays.asList(words).indexOf("-jar");
                    options = String.join(" ", Arrays.copyOfRange(words, 1, jar));
                } else if (line.startsWith("Environment=")) {
                    for (String setting : line.substring("Environment=".length()).strip().split("\\s+")) {
                        int eq = setting.indexOf('=');
                        environment.put(setting.substring(0, eq), setting.substring(eq + 1));
                    }
                }
            }
            if (options == null) {
                throw new IllegalStateException(file + ": no ExecStart=/usr/bin/java ... -jar line");
            }
            return new Unit(options, environment);
        }
    }

    static List<String> names(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(String.format(Locale.ROOT, "%s%04d.resolver-bench.example", prefix, i));
        }
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String machine() throws IOException {
        long memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        return Runtime.getRuntime().availableProcessors() + " cores, " + memKb / 1024 / 1024 + " GiB, Java "
                + System.getProperty("java.version") + ", load " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
