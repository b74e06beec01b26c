package dev.mtasts.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The {@code _smtp._tls.<domain>} TXT record (RFC 8460 §3): {@code v=TLSRPTv1; rua=<uri>[,<uri>…]}. */
public record TlsRptRecord(List<String> rua) {

    static final String VERSION = "v=TLSRPTv1";

    public TlsRptRecord {
        rua = List.copyOf(rua);
        if (rua.isEmpty()) {
            throw new IllegalArgumentException("a TLSRPT record needs at least one rua");
        }
        for (String uri : rua) {
            String problem = ruaProblem(uri);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
    }

    /** The report endpoint this stack serves for a domain: {@code https://mta-sts.<domain>/v1/tlsrpt}. */
    public static String httpsEndpoint(DomainName domain) {
        return "https://" + domain.policyHost() + "/v1/tlsrpt";
    }

    /**
     * Checks report URIs given by a user. Order matters: some senders deliver only to the first one, so the endpoint
     * this stack ingests should stay first.
     */
    public static TlsRptRecord of(List<String> rua) throws InvalidException {
        List<Problem> problems = new ArrayList<>();
        for (String uri : rua) {
            String problem = ruaProblem(uri);
            if (problem != null) {
                problems.add(Problem.whole(problem));
            }
        }
        if (rua.isEmpty()) {
            problems.add(Problem.whole("at least one rua is needed"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidException(problems);
        }
        return new TlsRptRecord(rua);
    }

    public String render() {
        return VERSION + "; rua=" + String.join(",", rua);
    }

    public static TlsRptRecord parse(String text) throws InvalidException {
        List<String> fields = TxtRecord.fields(text);
        if (!fields.get(0).equals(VERSION) || !text.startsWith(VERSION)) {
            throw new InvalidException("a TLSRPT record starts with \"v=TLSRPTv1\"");
        }
        List<String> rua = null;
        for (String field : fields.subList(1, fields.size())) {
            if (field.startsWith("rua=") && rua == null) {
                rua = new ArrayList<>();
                for (String uri : field.substring(4).split(",", -1)) {
                    rua.add(uri.strip());
                }
            }
        }
        if (rua == null) {
            throw new InvalidException("the record has no rua");
        }
        return of(rua);
    }

    /** Exactly one record beginning with {@code v=TLSRPTv1;}, else senders assume no reporting. */
    public static Optional<TlsRptRecord> discover(List<List<String>> txtRecords) throws InvalidException {
        Optional<String> only = TxtRecord.onlyRecord(txtRecords, VERSION, "no reporting");
        return only.isEmpty() ? Optional.empty() : Optional.of(parse(only.get()));
    }

    private static String ruaProblem(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("mailto:") && !lower.startsWith("https:")) {
            return "rua \"" + uri + "\" must be a mailto: or https: URI";
        }
        if (lower.length() <= (lower.startsWith("mailto:") ? 7 : 8)) {
            return "rua \"" + uri + "\" has nothing after the scheme";
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == ',' || c == '!' || c == ';' || c <= 0x20 || c >= 0x7f) {
                return "rua \"" + uri + "\": '" + c + "' must be %-encoded";
            }
        }
        return null;
    }
}
