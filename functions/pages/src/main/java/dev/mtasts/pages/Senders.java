package dev.mtasts.pages;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * TLS reports as real senders write them, for any domain, day and counts: the shapes of the report fixtures of the
 * tests (invented senders, documentation domains and addresses).
 */
public final class Senders {
    private Senders() {
    }

    /** A failure detail; null fields are left out, as senders leave them out. */
    public record Failure(String type, String mx, String sendingIp, String receivingIp, long count) {
        String json() {
            List<String> f = new ArrayList<>();
            f.add(q("result-type") + ":" + q(type));
            if (sendingIp != null) {
                f.add(q("sending-mta-ip") + ":" + q(sendingIp));
            }
            if (mx != null) {
                f.add(q("receiving-mx-hostname") + ":" + q(mx));
            }
            if (receivingIp != null) {
                f.add(q("receiving-ip") + ":" + q(receivingIp));
            }
            f.add(q("failed-session-count") + ":" + count);
            return "{" + String.join(",", f) + "}";
        }
    }

    public static List<String> policy(String mode, long maxAge, String... mx) {
        List<String> lines = new ArrayList<>(List.of("version: STSv1", "mode: " + mode));
        for (String m : mx) {
            lines.add("mx: " + m);
        }
        lines.add("max_age: " + maxAge);
        return lines;
    }

    /** Google's shape: one line, mx-host an array, no failure-details key when there are none. */
    public static String google(String domain, LocalDate day, List<String> policy, List<String> mxHosts, long ok,
            Failure... failures) {
        long failed = total(failures);
        return "{\"organization-name\":\"Example Search Inc.\",\"date-range\":{\"start-datetime\":\"" + day
                + "T00:00:00Z\",\"end-datetime\":\"" + day + "T23:59:59Z\"},\"contact-info\":"
                + "\"smtp-tls-reporting@sender.example\",\"report-id\":\"" + day + "T00:00:00Z_" + domain + "\","
                + "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":" + array(policy)
                + ",\"policy-domain\":\"" + domain + "\",\"mx-host\":" + array(mxHosts) + "},\"summary\":{"
                + "\"total-successful-session-count\":" + ok + ",\"total-failure-session-count\":" + failed + "}"
                + (failures.length == 0 ? "" : ",\"failure-details\":" + details(failures)) + "}]}";
    }

    /**
     * Microsoft's shape: dates without a time zone, a report-id of a FILETIME and the domain, the same sessions under
     * {@code tlsa} (a JSON-encoded array of TLSA records, no failure details) and {@code sts}, no mx-host.
     */
    public static String microsoft(String domain, LocalDate day, List<String> policy, long ok, Failure... failures) {
        long failed = total(failures);
        long filetime = (day.atStartOfDay().toEpochSecond(ZoneOffset.UTC) + 11_644_473_600L) * 10_000_000L;
        String summary = "\"summary\":{\"total-successful-session-count\":" + ok
                + ",\"total-failure-session-count\":" + failed + "}";
        return "{\n  \"organization-name\": \"Example Soft Corporation\",\n  \"date-range\": {\n"
                + "    \"start-datetime\": \"" + day + "T00:00:00\",\n    \"end-datetime\": \"" + day + "T23:59:59\"\n  },\n"
                + "  \"contact-info\": \"tlsrpt-noreply@sender.example\",\n  \"report-id\": \"" + filetime + "+" + domain
                + "\",\n  \"policies\": [\n    {\"policy\": {\"policy-type\": \"tlsa\", \"policy-string\": "
                + "[\"[\\\"3 1 1 8F3B6E4C0D2A1B9C7E5F3A1D0C9B8A7F6E5D4C3B2A19087F6E5D4C3B2A190\\\"]\"], "
                + "\"policy-domain\": \"" + domain + "\"}, " + summary + "},\n"
                + "    {\"policy\": {\"policy-type\": \"sts\", \"policy-string\": " + array(policy)
                + ", \"policy-domain\": \"" + domain + "\"}, " + summary
                + (failures.length == 0 ? "" : ", \"failure-details\": " + details(failures)) + "}\n  ]\n}\n";
    }

    /** Mail.ru's shape: no policy-string or mx-host even for sts, the range ending at the next midnight. */
    public static String mailru(String domain, LocalDate day, long ok, Failure... failures) {
        return "{\"organization-name\":\"Example Mail LLC\",\"date-range\":{\"start-datetime\":\"" + day
                + "T00:00:00Z\",\"end-datetime\":\"" + day.plusDays(1) + "T00:00:00Z\"},\"contact-info\":"
                + "\"tlsrpt@sender.example\",\"report-id\":\"" + day.toString().replace("-", "") + "." + domain
                + "@sender.example\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"" + domain
                + "\"},\"summary\":{\"total-successful-session-count\":" + ok + ",\"total-failure-session-count\":"
                + total(failures) + "},\"failure-details\":" + details(failures) + "}]}";
    }

    /** Postfix's tlsrpt-reporter: failure-details always present, a site name as organisation. */
    public static String postfix(String domain, LocalDate day, List<String> policy, long ok, Failure... failures) {
        return "{\"organization-name\":\"Example Postfix Site\",\"date-range\":{\"start-datetime\":\"" + day
                + "T00:00:00Z\",\"end-datetime\":\"" + day + "T23:59:59Z\"},\"contact-info\":\"postmaster@sender.example\","
                + "\"report-id\":\"" + day + "T00:00:00Z_sender.example_" + domain + "\",\"policies\":[{\"policy\":{"
                + "\"policy-type\":\"sts\",\"policy-string\":" + array(policy) + ",\"policy-domain\":\"" + domain
                + "\",\"mx-host\":[]},\"summary\":{\"total-successful-session-count\":" + ok
                + ",\"total-failure-session-count\":" + total(failures) + "},\"failure-details\":" + details(failures)
                + "}]}";
    }

    private static long total(Failure... failures) {
        long n = 0;
        for (Failure f : failures) {
            n += f.count();
        }
        return n;
    }

    private static String details(Failure... failures) {
        return "[" + java.util.Arrays.stream(failures).map(Failure::json).collect(Collectors.joining(",")) + "]";
    }

    private static String array(List<String> items) {
        return "[" + items.stream().map(Senders::q).collect(Collectors.joining(",")) + "]";
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
