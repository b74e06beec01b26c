package dev.mtasts.lifecycle;

import dev.mtasts.core.Delegation;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.MxMove;
import dev.mtasts.sender.DomainCheck;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.DomainView;
import dev.mtasts.store.Emf;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Once a day, every announced domain is checked as senders see it ({@link DomainCheck}, without SMTP: AWS blocks
 * port 25 from Lambda functions), so that the classic outage — an MX host or a certificate changes while the policy
 * says {@code enforce} — is caught before senders refuse mail. The outcome is kept in the stack's state
 * ({@code check}), each
 * failing check is a {@code CheckFailures} metric by domain and check, and a domain that starts failing, or recovers,
 * gets one alert.
 */
public final class DailyCheck {
    /** Failures kept on the row; the metric and the log have them all. */
    static final int KEPT = 10;

    private final DomainStore store;
    private final DomainCheck check;
    private final Emf emf;
    private final BiConsumer<String, String> alert;
    private final Clock clock;
    /** Public DNS for delegated domains' CNAMEs (RFC 8461 §8.2); null: none are looked at. */
    private final PublicCnames cnames;

    /** @param alert takes a subject (under 100 characters) and a body; null sends none */
    public DailyCheck(DomainStore store, DomainCheck check, Emf emf, BiConsumer<String, String> alert, Clock clock) {
        this.store = store;
        this.check = check;
        this.emf = emf;
        this.alert = alert;
        this.clock = clock;
        this.cnames = null;
    }

    private DailyCheck(DailyCheck d, PublicCnames cnames) {
        this.store = d.store;
        this.check = d.check;
        this.emf = d.emf;
        this.alert = d.alert;
        this.clock = d.clock;
        this.cnames = cnames;
    }

    /**
     * The same, also looking through {@code dns} at the CNAMEs each delegated domain published once: one removed or
     * pointing elsewhere fails the check (senders would no longer reach what the stack keeps current).
     */
    public DailyCheck withPublicDns(dev.mtasts.sender.Dns dns) {
        return new DailyCheck(this, new PublicCnames(dns));
    }

    /** What one run found. */
    public record Summary(int checked, int failing, int alerts) {
    }

    /** Domains checked at once: each waits mostly on the network. */
    static final int PARALLEL = 8;

    public Summary run() {
        List<java.util.concurrent.Future<int[]>> runs = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PARALLEL);
        try {
            for (DomainView domain : store.views()) {
                runs.add(pool.submit(() -> {
                    try {
                        return one(domain);
                    } catch (RuntimeException e) {
                        // one domain's trouble (a throttled write, SNS down) must not stop the others' checks
                        System.err.println("ERROR daily check of " + domain.key() + " failed: " + e);
                        emf.put(List.of(List.of()), Map.of(), Map.of("CheckErrors", 1L), Map.of("Error", String.valueOf(e)));
                        return new int[3];
                    }
                }));
            }
            int[] total = new int[3];
            for (var f : runs) {
                int[] r = f.get();
                for (int i = 0; i < 3; i++) {
                    total[i] += r[i];
                }
            }
            return new Summary(total[0], total[1], total[2]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the check of a domain failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Checks one domain: {checked, failing, alerts} as 0 or 1 each. */
    private int[] one(DomainView view) {
        DomainName domain;
        try {
            domain = DomainName.parse(view.key());
        } catch (InvalidException e) {
            return new int[3];
        }
        Lifecycle lc = view.lifecycle();
        if (lc == null || lc.announced() == null || lc.step().removing() || view.rowDeleted() || view.state() == null) {
            return new int[3]; // nothing announced yet (or being removed): nothing senders could rely on
        }
        DomainCheck.Report report = delegation(domain, lc, check.check(domain, true));
        List<DomainCheck.Finding> errors = report.findings().stream()
                .filter(f -> f.level() == DomainCheck.Level.ERROR).toList();
        boolean failed = !errors.isEmpty();
        for (DomainCheck.Finding f : errors) {
            emf.put(List.of(List.of("Domain", "Check"), List.of()), Map.of("Domain", domain.value(), "Check", f.check()),
                    Map.of("CheckFailures", 1L), Map.of("Message", f.message()));
        }
        boolean wasFailing = view.check() instanceof Map<?, ?> previous && "error".equals(previous.get("status"));
        // written before the alert: a run retried after a crash finds the new status and does not alert twice
        store.state().recordCheck(domain, outcome(report));
        int alerted = 0;
        if (alert != null && failed != wasFailing) {
            alerted = 1;
            if (failed) {
                alert.accept(subject(domain, errors), body(domain, report, errors) + move(view, clock.instant()));
            } else {
                alert.accept(shorten("MTA-STS: " + domain + " passes its checks again"), domain
                        + " passes every check again, as senders see it, at " + now() + ".\n");
            }
        }
        return new int[] {1, failed ? 1 : 0, alerted};
    }

    /** A delegated domain's CNAMEs, as findings of their own first: what is missing or changed, exactly. */
    private DomainCheck.Report delegation(DomainName domain, Lifecycle lc, DomainCheck.Report report) {
        if (!lc.delegated() || cnames == null) {
            return report;
        }
        List<DomainCheck.Finding> findings = new ArrayList<>();
        try {
            List<PublicCnames.Missing> missing = cnames.missing(new Delegation(domain, lc.delegation()).cnames(lc.validation()));
            for (PublicCnames.Missing m : missing) {
                findings.add(new DomainCheck.Finding(DELEGATION, DomainCheck.Level.ERROR, "removed or changed at "
                        + domain + "'s DNS host: " + m.describe() + "; publish it again"));
            }
            if (missing.isEmpty()) {
                findings.add(new DomainCheck.Finding(DELEGATION, DomainCheck.Level.OK, "the CNAMEs to "
                        + lc.delegation() + " are in public DNS"));
            }
        } catch (dev.mtasts.sender.Dns.Failure e) {
            findings.add(new DomainCheck.Finding(DELEGATION, DomainCheck.Level.UNCHECKED, e.getMessage()));
        }
        findings.addAll(report.findings());
        return new DomainCheck.Report(report.domain(), findings, report.policy(), report.announcedId(), report.timings());
    }

    /** The check of a delegated domain's CNAMEs. */
    static final String DELEGATION = "delegation";

    /** An MX that an enforce policy misses stops mail: that alert says so first. */
    static String subject(DomainName domain, List<DomainCheck.Finding> errors) {
        if (errors.stream().anyMatch(f -> f.check().equals(DELEGATION))) {
            return shorten("MTA-STS: " + domain + ": a CNAME of its delegation was removed or changed");
        }
        boolean drift = errors.stream().anyMatch(f -> f.check().equals("mx coverage"));
        return shorten(drift ? "MTA-STS: mail to " + domain + " at risk: an MX host is not in the enforce policy"
                : "MTA-STS: " + domain + " fails " + errors.size() + (errors.size() == 1 ? " check" : " checks")
                + " (" + errors.get(0).check() + ")");
    }

    private String body(DomainName domain, DomainCheck.Report report, List<DomainCheck.Finding> errors) {
        StringBuilder b = new StringBuilder(domain + ", checked as senders see it at " + now() + ":\n");
        errors.forEach(f -> b.append("  ").append(f.check()).append(": ").append(f.message()).append('\n'));
        report.findings().stream().filter(f -> f.level() == DomainCheck.Level.WARNING)
                .forEach(f -> b.append("  (warning) ").append(f.check()).append(": ").append(f.message()).append('\n'));
        b.append("Run mta-sts check ").append(domain).append(" to see every check.\n");
        return b.toString();
    }

    /** A move of MX hosts under way explains an MX the policy misses, or says what is safe while it lasts. */
    static String move(DomainView view, java.time.Instant now) {
        Lifecycle lc = view.lifecycle();
        MxMove.Wish wish = view.row() == null ? null : MxMove.Wish.of(view.row());
        MxMove move = lc.move() != null && !lc.move().phase().over() ? lc.move() : null;
        String plan = wish == null && move == null ? null : MxMove.describe(wish, move, lc.announced(), now);
        return plan == null ? "" : "An MX move is under way (mta-sts domain move-mx): " + plan + ".\n";
    }

    private Map<String, Object> outcome(DomainCheck.Report report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", now());
        m.put("status", report.worst() == DomainCheck.Level.ERROR ? "error"
                : report.worst() == DomainCheck.Level.WARNING ? "warning" : "ok");
        List<Object> failures = new ArrayList<>();
        report.failing().stream().limit(KEPT).forEach(f -> failures.add(Map.of("check", f.check(),
                "level", f.level().text(), "message", f.message())));
        m.put("failures", failures);
        return m;
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String shorten(String s) {
        String ascii = s.replaceAll("[^\\x20-\\x7e]", "?");
        return ascii.length() < 100 ? ascii : ascii.substring(0, 96) + "...";
    }
}
