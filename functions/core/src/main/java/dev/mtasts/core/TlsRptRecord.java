package dev.mtasts.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code _smtp._tls.<domain>} TXT record (RFC 8460 §3): {@code v=TLSRPTv1; rua=<uri>[,<uri>…]}. Every rua is
 * checked as a URI senders can deliver to ({@link ReportUri}).
 */
public record TlsRptRecord(List<String> rua) {

    static final String VERSION = "v=TLSRPTv1";

    public TlsRptRecord {
        rua = List.copyOf(rua);
        if (rua.isEmpty()) {
            throw new IllegalArgumentException("a TLSRPT record needs at least one rua");
        }
        for (String uri : rua) {
            String problem = ReportUri.problem(uri);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
    }

    /** The path of this stack's report endpoint, on every policy host: reports are POSTed there (RFC 8460 §3). */
    public static final String REPORT_PATH = "/v1/tlsrpt";

    /** The report endpoint this stack serves for a domain: {@code https://mta-sts.<domain>/v1/tlsrpt}. */
    public static String httpsEndpoint(DomainName domain) {
        return "https://" + domain.policyHost() + REPORT_PATH;
    }

    /**
     * Checks report URIs given by a user. Order matters: some senders deliver only to the first one, so the endpoint
     * this stack ingests should stay first.
     */
    public static TlsRptRecord of(List<String> rua) throws InvalidException {
        List<Problem> problems = new ArrayList<>();
        for (String uri : rua) {
            String problem = ReportUri.problem(uri);
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

    /**
     * Parses one record value (its strings already joined) exactly by the §3 grammar. The first {@code rua} is the
     * one senders use; any later field, a repeated rua too, must still be a field of the grammar.
     */
    public static TlsRptRecord parse(String text) throws InvalidException {
        List<String> fields = TxtRecord.fields(text, VERSION, "a TLSRPT record");
        List<String> rua = null;
        List<Problem> problems = new ArrayList<>();
        for (String field : fields) {
            if (field.startsWith("rua=") && rua == null) {
                rua = new ArrayList<>();
                ruaList(field.substring(4), rua, problems);
                continue;
            }
            String problem = TxtRecord.extensionProblem(field);
            if (problem != null) {
                problems.add(Problem.whole(problem + (field.startsWith("rua=") ? " (a repeated rua is ignored, but"
                        + " must still be well-formed)" : "")));
            }
        }
        if (rua == null) {
            problems.add(Problem.whole("the record has no rua"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidException(problems);
        }
        return new TlsRptRecord(rua);
    }

    /** {@code tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)}: each URI checked, every problem kept. */
    private static void ruaList(String value, List<String> rua, List<Problem> problems) {
        if (value.isEmpty()) {
            problems.add(Problem.whole("rua= has no URI"));
            return;
        }
        if (TxtRecord.isWsp(value.charAt(0))) {
            problems.add(Problem.whole("white space after \"rua=\": the first URI follows it directly"));
            return;
        }
        String[] uris = value.split(",", -1);
        for (int i = 0; i < uris.length; i++) {
            String uri = TxtRecord.stripWsp(uris[i]);
            if (uri.isEmpty()) {
                problems.add(Problem.whole("rua has an empty URI " + (i == uris.length - 1 ? "after its last ','"
                        : "before ','")));
                continue;
            }
            String problem = ReportUri.problem(uri);
            if (problem != null) {
                problems.add(Problem.whole(problem));
            }
            rua.add(uri);
        }
    }

    /** Exactly one record beginning with {@code v=TLSRPTv1;}, else senders assume no reporting. */
    public static Optional<TlsRptRecord> discover(List<List<String>> txtRecords) throws InvalidException {
        Optional<String> only = TxtRecord.onlyRecord(txtRecords, VERSION, "no reporting");
        return only.isEmpty() ? Optional.empty() : Optional.of(parse(only.get()));
    }
}
