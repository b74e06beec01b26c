package dev.mtasts.bench;

import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportException;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.core.report.TlsReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The report parser, warm and in process, beside jq computing the same per-domain totals on the same corpus (the
 * program of bench/report-parse.sh), jq timed as a whole process; and the peak RSS of a JVM that reads the large
 * report once. Usage: {@code ParserThroughput CORPUS [RUNS]}; {@code ParserThroughput large-rss CORPUS} is the
 * process whose RSS is measured, and {@code ParserThroughput loop CORPUS large|small SECONDS} only parses, for a
 * profiler (-XX:StartFlightRecording=filename=x.jfr,settings=profile).
 */
public final class ParserThroughput {
    static final String JQ = "[.policies[] | {d: .policy[\"policy-domain\"], s: .summary[\"total-successful-session-count\"],"
            + " f: .summary[\"total-failure-session-count\"]}] | group_by(.d)"
            + " | map({domain: .[0].d, ok: (map(.s) | add), failed: (map(.f) | add)})";
    /** As `mta-sts report parse --max-size 200000000 --max-decompressed 200000000` (bench/report-parse.sh). */
    static final Limits BIG = new Limits(200_000_000L, 200_000_000L);
    static final long RSS_TARGET_MB = 256;
    static final double TARGET = 5.0;
    /** The Lambda java17/java21 runtimes' own JVM defaults (AWS Lambda Developer Guide, "Customize Java runtime startup behavior"). */
    static final List<String> LAMBDA_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("large-rss")) {
            Path large = Path.of(args[1], "large.json");
            System.out.println(totals(parseFile(new ReportReader(BIG), large)));
            return;
        }
        if (args.length > 0 && args[0].equals("loop")) {
            loop(Path.of(args[1]), args[2], Double.parseDouble(args[3]));
            return;
        }
        Path corpus = Path.of(args.length > 0 ? args[0] : "bench/target/corpus");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        boolean rss = !(args.length > 2 && args[2].equals("no-rss"));
        Path large = corpus.resolve("large.json");
        List<Path> smallFiles;
        try (Stream<Path> s = Files.list(corpus.resolve("small"))) {
            // byte order of names, as `LC_ALL=C` globbing gives them to zcat
            smallFiles = s.filter(p -> p.getFileName().toString().endsWith(".json.gz")).sorted().toList();
        }
        List<byte[]> small = new ArrayList<>();
        long smallJsonBytes = 0;
        for (Path p : smallFiles) {
            byte[] gz = Files.readAllBytes(p);
            small.add(gz);
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                smallJsonBytes += in.readAllBytes().length;
            }
        }
        List<String> smallNames = smallFiles.stream().map(p -> "incoming/" + p.getFileName()).toList();
        long largeBytes = Files.size(large);
        ReportReader reader = new ReportReader(BIG);

        // correctness first: our totals, report by report, as jq prints them
        String jqLarge = jq(corpus, List.of("jq", "-c", JQ, "large.json")).out;
        String jqSmall = jq(corpus, smallCommand()).out;
        check("large", totals(parseFile(reader, large)) + "\n", jqLarge);
        StringBuilder ours = new StringBuilder();
        for (int i = 0; i < small.size(); i++) {
            ours.append(totals(parseGz(reader, small.get(i), smallNames.get(i)))).append('\n');
        }
        check("small", ours.toString(), jqSmall);

        long warmStart = System.nanoTime();
        // a few seconds of both, in the order the runs take them, till the compiler has settled
        for (int i = 0; i < 10; i++) {
            largePass(reader, large);
            for (int j = 0; j < 10; j++) {
                smallPass(reader, small, smallNames);
            }
        }
        System.err.printf("warmed in %.1f s%n", (System.nanoTime() - warmStart) / 1e9);

        List<Double> gunzipOnly = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            gunzipOnly.add(gunzipPass(small));
        }
        List<Double> oursLarge = new ArrayList<>();
        List<Double> oursSmall = new ArrayList<>();
        List<Double> jqLargeT = new ArrayList<>();
        List<Double> jqSmallT = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            oursLarge.add(largePass(reader, large));
            jqLargeT.add(jq(corpus, List.of("jq", "-c", JQ, "large.json")).seconds);
            // one small pass is some tens of milliseconds: the median of several is one run's figure
            List<Double> passes = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                passes.add(smallPass(reader, small, smallNames));
            }
            oursSmall.add(median(passes));
            jqSmallT.add(jq(corpus, smallCommand()).seconds);
        }

        System.out.println();
        System.out.printf("Report parsing, warm and in process (%s), against jq %s as a whole process;%n",
                "dev.mtasts.core.report.ReportReader, JVM " + System.getProperty("java.vm.version") + ", "
                        + (java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().isEmpty()
                        ? "default flags, the full JIT"
                        : String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
                        + ", as the Lambda java21 runtime runs functions"),
                jqVersion());
        System.out.printf("%d alternating runs, medians (min-max); MB/s counts the JSON bytes (the small reports"
                + " decompressed: %.2f MB; %.2f MB of gzip)%n", runs, smallJsonBytes / 1e6,
                small.stream().mapToLong(b -> b.length).sum() / 1e6);
        line(String.format("large: one report, %.1f MB, 100k failure-details (read from the file)", largeBytes / 1e6),
                largeBytes, 1, oursLarge, jqLargeT);
        line(String.format("small: %d .json.gz reports (from gzip bytes in memory, gunzip included)", small.size()),
                smallJsonBytes, small.size(), oursSmall, jqSmallT);

        double floor = median(gunzipOnly.subList(20, 40));
        System.out.printf("  gunzip alone (java.util.zip, the system's zlib) takes %.1f ms of a small pass: with nothing else"
                + " to do, the ratio could reach %.1fx%n", floor * 1e3, median(jqSmallT) / floor);
        if (!rss) {
            return;
        }
        System.out.println();
        System.out.printf("Peak RSS of a JVM that reads and parses large.json once (GNU time %%M; target <= %d MB)%n",
                RSS_TARGET_MB);
        rss(corpus, List.of(), "default flags");
        rss(corpus, LAMBDA_FLAGS, String.join(" ", LAMBDA_FLAGS) + " (the Lambda java21 runtime's defaults)");
    }

    static void loop(Path corpus, String which, double seconds) throws Exception {
        ReportReader reader = new ReportReader(BIG);
        Path large = corpus.resolve("large.json");
        List<Path> files;
        try (Stream<Path> s = Files.list(corpus.resolve("small"))) {
            files = s.sorted().toList();
        }
        List<byte[]> small = new ArrayList<>();
        for (Path p : files) {
            small.add(Files.readAllBytes(p));
        }
        List<String> names = files.stream().map(p -> "incoming/" + p.getFileName()).toList();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Double> times = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        while (System.nanoTime() < end) {
            long c0 = threads.getCurrentThreadCpuTime();
            times.add(which.equals("large") ? largePass(reader, large) : smallPass(reader, small, names));
            cpu.add((threads.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        System.out.printf("%s: %d passes, the last half's median %.1f ms a pass, %.1f ms CPU of this thread%n", which,
                times.size(), median(times.subList(times.size() / 2, times.size())) * 1e3,
                median(cpu.subList(cpu.size() / 2, cpu.size())) * 1e3);
    }

    static List<String> smallCommand() {
        return List.of("bash", "-c", "zcat small/*.json.gz | jq -c \"$0\"", JQ);
    }

    static TlsReport parseFile(ReportReader reader, Path file) throws IOException, ReportException {
        try (InputStream in = Files.newInputStream(file)) {
            return reader.read(in, file.getFileName().toString()).report();
        }
    }

    static TlsReport parseGz(ReportReader reader, byte[] gz, String name) throws ReportException {
        return reader.read(new ByteArrayInputStream(gz), name).report();
    }

    /** One report's totals in jq's words: {@code [{"domain":…,"ok":…,"failed":…}]}. */
    static String totals(TlsReport report) {
        StringBuilder b = new StringBuilder("[");
        for (Map.Entry<String, TlsReport.DomainTotals> e : report.totalsByDomain().entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append("{\"domain\":\"").append(e.getKey()).append("\",\"ok\":").append(e.getValue().successful())
                    .append(",\"failed\":").append(e.getValue().failed()).append('}');
        }
        return b.append(']').toString();
    }

    static long sink;

    static double largePass(ReportReader reader, Path large) throws IOException, ReportException {
        long t0 = System.nanoTime();
        TlsReport r = parseFile(reader, large);
        for (TlsReport.DomainTotals t : r.totalsByDomain().values()) {
            sink += t.successful() + t.failed();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static double smallPass(ReportReader reader, List<byte[]> small, List<String> names) throws ReportException {
        long t0 = System.nanoTime();
        for (int i = 0; i < small.size(); i++) {
            for (TlsReport.DomainTotals t : parseGz(reader, small.get(i), names.get(i)).totalsByDomain().values()) {
                sink += t.successful() + t.failed();
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** What the small reports' gunzip costs alone, as the reader does it (an inflater per report, ended). */
    static double gunzipPass(List<byte[]> small) throws IOException {
        byte[] out = new byte[8000];
        long t0 = System.nanoTime();
        for (byte[] gz : small) {
            GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 512);
            while (in.read(out, 0, out.length) > 0) {
                sink++;
            }
            in.close();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static void check(String what, String ours, String jq) {
        if (!ours.equals(jq)) {
            List<String> a = ours.lines().toList();
            List<String> b = jq.lines().toList();
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                String x = i < a.size() ? a.get(i) : "(none)";
                String y = i < b.size() ? b.get(i) : "(none)";
                if (!x.equals(y)) {
                    throw new IllegalStateException(what + ": totals differ from jq's at report " + (i + 1)
                            + ": ours " + x + ", jq " + y);
                }
            }
        }
        System.err.printf("%s: totals of %d reports match jq's%n", what, ours.lines().count());
    }

    record Run(double seconds, String out) {
    }

    static Run jq(Path dir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("LC_ALL", "C");
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException(command + " exited with " + exit);
        }
        return new Run(s, out);
    }

    static String jqVersion() throws IOException, InterruptedException {
        return jq(Path.of("."), List.of("jq", "--version")).out.strip();
    }

    static void line(String label, long bytes, int reports, List<Double> ours, List<Double> jq) {
        double o = median(ours);
        double j = median(jq);
        System.out.println("  " + label);
        System.out.printf("    ours %8.1f ms (%.1f-%.1f)  %8.1f MB/s  %10.0f reports/s%n", o * 1e3, min(ours) * 1e3,
                max(ours) * 1e3, bytes / o / 1e6, reports / o);
        System.out.printf("    jq   %8.1f ms (%.1f-%.1f)  %8.1f MB/s  %10.0f reports/s%n", j * 1e3, min(jq) * 1e3,
                max(jq) * 1e3, bytes / j / 1e6, reports / j);
        // the same bytes and the same reports in both, so one ratio stands for MB/s and reports/s
        System.out.printf("    ratio %.2fx (MB/s and reports/s alike)  target >= %.0fx: %s%n", j / o, TARGET,
                j / o >= TARGET ? "met" : "missed");
    }

    static void rss(Path corpus, List<String> flags, String label) throws IOException, InterruptedException {
        Path timeOut = Files.createTempFile("rss", ".txt");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "%M", "-o", timeOut.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ParserThroughput.class.getName(),
                "large-rss", corpus.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("large-rss failed: " + out);
        }
        long mb = Long.parseLong(Files.readString(timeOut).strip()) / 1024;
        Files.delete(timeOut);
        System.out.printf("  %-80s %4d MB  %s%n", label, mb, mb <= RSS_TARGET_MB ? "met" : "missed");
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get((s.size() - 1) / 2);
    }

    static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
