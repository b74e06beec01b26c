package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * The report fixtures in {@code src/test/resources/reports/} (invented senders, documentation domains and
 * addresses) and what the report tests share: reading them, gzip'ing them, and one-line renderings to compare in
 * tables. Binary variants are made here at run time, so only text is committed.
 */
final class Fixtures {
    private Fixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/reports/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static ReportReader.Received read(byte[] data, String fileName) throws ReportException {
        return new ReportReader(Limits.DEFAULT).read(new ByteArrayInputStream(data), fileName);
    }

    static ReportReader.Received read(byte[] data) throws ReportException {
        return read(data, null);
    }

    static TlsReport report(String fixture) throws ReportException {
        return read(bytes(fixture)).report();
    }

    static ReportException rejected(Limits limits, byte[] data) {
        return assertThrows(ReportException.class,
                () -> new ReportReader(limits).read(new ByteArrayInputStream(data), null));
    }

    /**
     * One policy on one line: {@code type domain ok/failed details=n}, then the first failure detail as
     * {@code result-type xcount sending-ip -> mx receiving-ip}; "-" stands for an absent field.
     */
    static String describe(PolicyResult p) {
        String s = p.type() + " " + orDash(p.domain()) + " " + p.successful() + "/" + p.failed()
                + " details=" + p.failures().size();
        if (p.failures().isEmpty()) {
            return s;
        }
        FailureDetail f = p.failures().get(0);
        return s + " first: " + orDash(f.resultType()) + " x" + orDash(f.failedSessionCount()) + " "
                + orDash(f.sendingMtaIp()) + " -> " + orDash(f.receivingMxHostname()) + " " + orDash(f.receivingIp());
    }

    /** {@code domain=ok/failed {result-type=n, ...}; ...}, domains and result types sorted. */
    static String describe(Map<String, TlsReport.DomainTotals> totals) {
        return totals.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().successful() + "/" + e.getValue().failed() + " "
                        + new TreeMap<>(e.getValue().failures()))
                .collect(Collectors.joining("; "));
    }

    private static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }
}
