package dev.mtasts.cli;

import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.store.DomainStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Seed rows for the local stack: a JSON array of {@code {"domain","mode","mx":[...],"max_age"}}, written to the table
 * exactly as given so that invalid rows can be tried out too.
 */
public final class DomainsFile {
    private DomainsFile() {
    }

    public static List<Object> read(Path file) throws IOException {
        Object json;
        try (InputStream in = Files.newInputStream(file)) {
            json = Json.read(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message quotes (or redacts) the input and names its internals: say where, in our words
            var at = e.getLocation();
            throw new IOException(at == null ? "not valid JSON" : "not valid JSON at line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + " (a JSON array of rows is expected: [{\"domain\": \"example.com\", ...}])");
        }
        if (!(json instanceof List<?> list)) {
            throw new IOException("expected a JSON array of rows");
        }
        return new ArrayList<>(list);
    }

    /**
     * Loads every row as it is, valid or not, and says what each one is.
     *
     * @param seeding whether the domain lifecycle runs (an AWS emulator is in use): it seeds a row that holds only its
     *     domain from the zone's MX hosts; without it such a row stays without a policy
     */
    public static List<String> load(DomainStore store, List<Object> rows, boolean seeding) {
        List<String> report = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Object row = rows.get(i);
            if (!(row instanceof Map<?, ?> m) || !(m.get(DomainRow.DOMAIN) instanceof String domain)) {
                report.add("row " + (i + 1) + ": skipped, it has no \"domain\" string");
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) m;
            store.putItem(item);
            if (DomainRow.unseeded(item) && DomainRow.keyProblem(domain) == null) {
                report.add(domain + (seeding ? "  to be seeded from the zone's MX hosts (testing)"
                        : "  no policy, not served: without an AWS emulator nothing seeds one (give the row its mode, "
                                + "mx and max_age)"));
                continue;
            }
            try {
                DomainRow valid = DomainRow.parse(item);
                report.add(domain + "  " + valid.policy().mode() + ", id " + valid.policy().id());
            } catch (InvalidException e) {
                // a request's host is lower-cased A-labels: a key of another form is never looked up
                boolean reachable = domain.equals(domain.toLowerCase(java.util.Locale.ROOT)) && !domain.endsWith(".");
                report.add(domain + (reachable ? "  INVALID, answered with 500: " : "  INVALID, never matched (404): ")
                        + e.getMessage());
            }
        }
        return report;
    }
}
