package dev.mtasts.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mtasts.core.report.FailureDetail;
import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.PolicyResult;
import dev.mtasts.core.report.ReportException;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.local.LocalReports;
import dev.mtasts.reports.FolderRawStore;
import dev.mtasts.reports.Ingest;
import dev.mtasts.store.ReportStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Read and ingest SMTP TLS reports (RFC 8460): .json, .json.gz or whole .eml messages.",
        subcommands = {ReportCommand.Parse.class, ReportCommand.IngestFiles.class})
final class ReportCommand {

    /** Size limits, shared by parse and ingest. */
    static final class LimitOptions {
        @Option(names = "--max-size", paramLabel = "BYTES", defaultValue = "10485760",
                description = "Largest input accepted, as delivered (default: ${DEFAULT-VALUE}, 10 MB).")
        long maxCompressed;

        @Option(names = "--max-decompressed", paramLabel = "BYTES", defaultValue = "20971520",
                description = "Largest report after decompression, against gzip bombs (default: ${DEFAULT-VALUE}, 20 MB).")
        long maxDecompressed;

        Limits limits() {
            return new Limits(maxCompressed, maxDecompressed);
        }
    }

    @Command(name = "parse", mixinStandardHelpOptions = true,
            description = {"Show reports in plain words, or as JSON with --json (one object a line per file). Exit 1 "
                    + "with the reason when an input is not a usable report."})
    static final class Parse implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*",
                description = "A .json, .json.gz or .eml file, or - for standard input.")
        List<String> files;

        @Option(names = "--json", description = "Print one JSON object (dates in UTC, absent values as null).")
        boolean json;

        @Mixin
        LimitOptions limits;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            int worst = Main.OK;
            ReportReader reader = new ReportReader(limits.limits());
            // flushed once a file, not once a line: thousands of reports are thousands of lines
            PrintWriter out = new PrintWriter(spec.commandLine().getOut(), false);
            for (int i = 0; i < files.size(); i++) {
                if (i > 0 && !json) {
                    out.println();
                }
                worst = Math.max(worst, parse(reader, files.get(i), out));
            }
            return worst;
        }

        private int parse(ReportReader reader, String file, PrintWriter out) throws IOException {
            ReportReader.Received received;
            try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
                received = reader.read(in, file.equals("-") ? null : Path.of(file).getFileName().toString());
            } catch (NoSuchFileException e) {
                out.flush();
                spec.commandLine().getErr().println("mta-sts: " + file + ": no such file");
                return Main.ERROR;
            } catch (ReportException e) {
                out.flush();
                spec.commandLine().getErr().println("mta-sts: " + file + ": " + e.getMessage());
                return Main.INVALID;
            }
            if (json) {
                out.flush();
                writeJson(received, System.out);
            } else {
                describe(received, out);
            }
            out.flush();
            return Main.OK;
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = {"Store report files exactly as the reports function does (checks, once-only counting, "
                    + "metrics), e.g. to back-fill old reports. Raw copies go to --data-dir. Exit 1 if any file "
                    + "was rejected, 2 if one could not be read."})
    static final class IngestFiles implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Report files: .json, .json.gz or .eml.")
        List<Path> files;

        @Mixin
        TableOptions table;

        @Option(names = "--reports-table", paramLabel = "NAME", defaultValue = ReportStore.DEFAULT_TABLE,
                description = "Reports table (default: ${DEFAULT-VALUE}).")
        String reportsTable;

        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".mta-sts/reports",
                description = "Folder for the raw copies (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--dkim", paramLabel = "ses|off", defaultValue = "off",
                description = "For .eml files: ses to require SES's DKIM pass of the sender, as the function does "
                        + "by default; off when you vouch for the files (default: ${DEFAULT-VALUE}).")
        String dkim;

        @Mixin
        LimitOptions limits;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            LocalReports local = LocalReports.of(table.client(), table.table, reportsTable, limits.limits(),
                    dkim.equalsIgnoreCase("ses"), line -> { });
            FolderRawStore raw = new FolderRawStore(dataDir);
            int rejected = 0;
            int unreadable = 0;
            int n = 0;
            for (Path f : files) {
                n++;
                String prefix = "[" + n + "/" + files.size() + "] " + f + ": ";
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(f);
                } catch (NoSuchFileException e) {
                    out.println(prefix + "no such file");
                    unreadable++;
                    continue;
                }
                try {
                    Ingest.Accepted accepted = local.ingest().accept(new java.io.ByteArrayInputStream(bytes),
                            f.getFileName().toString(), null);
                    ReportStore.Stored o = local.ingest().keepOnce(accepted, bytes, "application/octet-stream", raw, "cli/", null);
                    out.println(prefix + (o.outcome() == ReportStore.Outcome.STORED ? "stored" : "already stored, counted once")
                            + " (" + accepted.report().totalsByDomain().keySet().stream().collect(Collectors.joining(", ")) + ")");
                } catch (Ingest.Rejected e) {
                    out.println(prefix + "rejected: " + e.getMessage());
                    rejected++;
                }
                out.flush();
            }
            return unreadable > 0 ? Main.ERROR : rejected > 0 ? Main.INVALID : Main.OK;
        }
    }

    /** The human summary: per policy its counts, failures grouped by result type with the largest examples. */
    static void describe(ReportReader.Received r, PrintWriter out) {
        TlsReport t = r.report();
        out.println(or(t.organization(), "(no organization-name)") + " — report " + or(t.reportId(), "(no report-id)"));
        out.println("  period   " + time(t.start()) + " to " + time(t.end()));
        if (t.contactInfo() != null) {
            out.println("  contact  " + t.contactInfo());
        }
        out.println("  format   " + r.format() + (r.email() != null && r.email().from() != null ? ", from " + r.email().from() : ""));
        for (PolicyResult p : t.policies()) {
            out.println("  " + p.type() + " policy for " + or(p.domain(), TlsReport.UNATTRIBUTED) + ": "
                    + grouped(p.successful()) + " sessions ok, " + grouped(p.failed()) + " failed");
            Map<String, FailureGroup> byType = new LinkedHashMap<>();
            for (FailureDetail f : p.failures()) {
                byType.computeIfAbsent(or(f.resultType(), "unknown"), k -> new FailureGroup()).add(f);
            }
            byType.forEach((type, group) -> {
                out.println("    " + grouped(group.sessions) + " × " + type);
                for (FailureDetail f : group.largest) {
                    out.println("        " + grouped(f.count()) + "  mx " + or(f.receivingMxHostname(), "-") + " ("
                            + or(f.receivingIp(), "-") + ") from " + or(f.sendingMtaIp(), "-")
                            + (f.failureReasonCode() == null ? "" : ": " + f.failureReasonCode()));
                }
                if (group.details > group.largest.size()) {
                    out.println("        … and " + grouped(group.details - group.largest.size()) + " more");
                }
            });
        }
        if (t.policies().size() > 1) {
            t.totalsByDomain().forEach((d, s) -> out.println("  total for " + d + ": " + grouped(s.successful()) + " ok, "
                    + grouped(s.failed()) + " failed"));
        }
    }

    /** One result type's failures: sessions, entries, and the three largest entries (first come first on ties). */
    private static final class FailureGroup {
        long sessions;
        int details;
        final List<FailureDetail> largest = new ArrayList<>(4);

        void add(FailureDetail f) {
            sessions += f.count();
            details++;
            int at = largest.size();
            while (at > 0 && largest.get(at - 1).count() < f.count()) {
                at--;
            }
            if (at < 3) {
                largest.add(at, f);
                if (largest.size() > 3) {
                    largest.remove(3);
                }
            }
        }
    }

    /** 1234567 as 1,234,567, whatever the locale: the rest of the output is English too. */
    static String grouped(long n) {
        String digits = Long.toString(Math.abs(n));
        StringBuilder b = new StringBuilder(digits.length() + digits.length() / 3 + 1);
        if (n < 0) {
            b.append('-');
        }
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) {
                b.append(',');
            }
            b.append(digits.charAt(i));
        }
        return b.toString();
    }

    /** Streams the JSON form, so a report with 100,000 failure details is never held twice. */
    static void writeJson(ReportReader.Received r, OutputStream stdout) throws IOException {
        TlsReport t = r.report();
        OutputStream buffered = new BufferedOutputStream(stdout, 1 << 16);
        try (JsonGenerator g = new JsonFactory().createGenerator(buffered)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("organization", t.organization());
            g.writeStringField("report_id", t.reportId());
            g.writeStringField("start", t.start() == null ? null : t.start().toString());
            g.writeStringField("end", t.end() == null ? null : t.end().toString());
            g.writeStringField("contact_info", t.contactInfo());
            g.writeStringField("format", r.format());
            g.writeArrayFieldStart("policies");
            for (PolicyResult p : t.policies()) {
                g.writeStartObject();
                g.writeStringField("type", p.type());
                g.writeStringField("domain", p.domain());
                g.writeNumberField("successful", p.successful());
                g.writeNumberField("failed", p.failed());
                g.writeArrayFieldStart("mx_host");
                for (String mx : p.mxHosts()) {
                    g.writeString(mx);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("failures");
                for (FailureDetail f : p.failures()) {
                    g.writeStartObject();
                    g.writeStringField("result_type", f.resultType());
                    if (f.failedSessionCount() == null) {
                        g.writeNullField("count");
                    } else {
                        g.writeNumberField("count", f.failedSessionCount());
                    }
                    g.writeStringField("receiving_mx", f.receivingMxHostname());
                    g.writeStringField("sending_ip", f.sendingMtaIp());
                    g.writeStringField("receiving_ip", f.receivingIp());
                    g.writeStringField("reason", f.failureReasonCode());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("totals");
            for (Map.Entry<String, TlsReport.DomainTotals> e : t.totalsByDomain().entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeNumberField("successful", e.getValue().successful());
                g.writeNumberField("failed", e.getValue().failed());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        buffered.write('\n');
        buffered.flush();
    }

    private static String time(Instant i) {
        return i == null ? "(unknown)" : i.toString();
    }

    private static String or(String s, String fallback) {
        return s == null ? fallback : s;
    }
}
