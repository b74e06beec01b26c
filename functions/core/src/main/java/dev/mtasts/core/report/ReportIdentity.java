package dev.mtasts.core.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What makes two deliveries the same report: the same content, not the same name. RFC 8460 §5.6 lets a receiver
 * tell duplicates by the JSON; {@code organization-name} + {@code report-id} alone are not enough, because anyone
 * may POST a report and real senders' ids are predictable (Google's are {@code <start-datetime>_<domain>}): a forged
 * report sent first under a real sender's coming id would make the real one a "duplicate". So a report is
 * identified by the SHA-256 of its parsed content in one canonical form: every field the report holds, its unknown
 * keys included, each length-prefixed in a fixed order. Whitespace, the order of keys, gzip or not, and the e-mail
 * or file it came in do not change it; any change of content does. The order of {@code policies} and
 * {@code failure-details} is kept: a sender that sends its report again sends the same arrays.
 *
 * <p>The digest is of the report as its sender wrote it, before a missing policy domain is filled in from the file
 * name, e-mail or host it arrived by, so the same report arriving by HTTPS and by e-mail is one report.
 */
final class ReportIdentity {
    /** Copied for each report: a copy costs less than a provider look-up. */
    private static final MessageDigest SHA256;

    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private final MessageDigest sha256;
    private final byte[] number = new byte[9];

    private ReportIdentity() {
        try {
            sha256 = (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The report's content digest, lower-case hex. */
    static String of(TlsReport r) {
        ReportIdentity c = new ReportIdentity();
        c.text(r.organization());
        c.text(r.reportId());
        c.instant(r.start());
        c.instant(r.end());
        c.text(r.contactInfo());
        c.map(r.unknown());
        c.number(r.policies().size());
        for (PolicyResult p : r.policies()) {
            c.text(p.type());
            c.list(p.policyStrings());
            c.text(p.domain());
            c.list(p.mxHosts());
            c.number(p.successful());
            c.number(p.failed());
            c.map(p.unknown());
            c.number(p.failures().size());
            for (FailureDetail f : p.failures()) {
                c.text(f.resultType());
                c.text(f.sendingMtaIp());
                c.text(f.receivingMxHostname());
                c.text(f.receivingMxHelo());
                c.text(f.receivingIp());
                if (f.failedSessionCount() == null) {
                    c.absent();
                } else {
                    c.number(f.failedSessionCount());
                }
                c.text(f.additionalInformation());
                c.text(f.failureReasonCode());
                c.map(f.unknown());
            }
        }
        return HexFormat.of().formatHex(c.sha256.digest());
    }

    /** Absent is not empty: a tag byte tells them apart, and a length keeps one field from running into the next. */
    private void absent() {
        sha256.update((byte) 0);
    }

    private void text(String s) {
        if (s == null) {
            absent();
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        sha256.update((byte) 1);
        number(b.length);
        sha256.update(b);
    }

    private void number(long n) {
        number[0] = 2;
        for (int i = 0; i < 8; i++) {
            number[8 - i] = (byte) (n >>> (8 * i));
        }
        sha256.update(number);
    }

    private void instant(Instant t) {
        if (t == null) {
            absent();
        } else {
            number(t.getEpochSecond());
            number(t.getNano());
        }
    }

    private void list(List<String> strings) {
        number(strings.size());
        strings.forEach(this::text);
    }

    /** Unknown keys in the order of their names: a sender may write them in any order. */
    private void map(Map<String, String> m) {
        number(m.size());
        if (m.isEmpty()) {
            return;
        }
        new TreeMap<>(m).forEach((k, v) -> {
            text(k);
            text(v);
        });
    }
}
