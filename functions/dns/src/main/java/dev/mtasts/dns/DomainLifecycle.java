package dev.mtasts.dns;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Lifecycle.Step;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Emf;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Advances one domain through the lifecycle ({@link Lifecycle.Step}): takes the domain's lease, runs steps until one
 * has to wait, blocks, or the time is up, and writes the progress to the row after every step, so that a crash at any
 * point resumes where it stopped. Two triggers for one domain never run at once: the second finds the lease taken.
 */
public final class DomainLifecycle {
    /** Seed values for a row that holds only its domain: safe to announce at once. */
    public static final long SEED_MAX_AGE = 86_400;
    /** A lease outlives the longest step (an HTTPS fetch, a few AWS calls) with room to spare. */
    static final Duration LEASE = Duration.ofMinutes(3);
    /** Passing AWS errors are retried with backoff from this, doubling, up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(30);
    /** After this many passing failures in a row the domain is called blocked (and still retried). */
    static final int BLOCK_AFTER = 10;

    private final DomainStore store;
    private final Steps steps;
    private final Emf emf;
    private final Clock clock;
    private final BiConsumer<DomainName, Step> afterStep;
    private final Sleeper sleeper;

    /** Waits in process for short waits (ACM, API Gateway) instead of leaving them to the next schedule. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** Short waits are waited out in the same run when the time allows; longer ones are left to the schedule. */
    static final Duration WAIT_IN_PROCESS = Duration.ofSeconds(30);

    DomainLifecycle(DomainStore store, Steps steps, Emf emf, Clock clock, BiConsumer<DomainName, Step> afterStep,
            Sleeper sleeper) {
        this.store = store;
        this.steps = steps;
        this.emf = emf;
        this.clock = clock;
        this.afterStep = afterStep;
        this.sleeper = sleeper;
    }

    /**
     * The lifecycle with its collaborators: the domains table, Route53, ACM, API Gateway (the stack's HTTP API), and
     * where the live check fetches each domain's policy from.
     */
    public static DomainLifecycle of(DomainStore store, Zones zones, Certificates certificates, CustomDomains customDomains,
            java.util.function.Function<DomainName, dev.mtasts.probe.PolicyFetch.Target> policyHost,
            javax.net.ssl.SSLContext trust, List<String> mailboxes, long txtTtl, Emf emf, Clock clock) {
        Steps steps = new Steps(store, zones, certificates, customDomains,
                new dev.mtasts.probe.PolicyFetch(trust, Duration.ofSeconds(10)), policyHost, emf, clock,
                new Steps.Settings(mailboxes, txtTtl));
        return new DomainLifecycle(store, steps, emf, clock, (d, s) -> { }, d -> Thread.sleep(d.toMillis()));
    }

    /** The same, with a hook run after every step and before its progress is written: tests crash there. */
    DomainLifecycle withHook(BiConsumer<DomainName, Step> hook, Sleeper sleeper) {
        return new DomainLifecycle(store, steps, emf, clock, hook, sleeper);
    }

    /** Where a run left a domain. */
    public record Report(DomainName domain, String state, String detail, int steps) {
        public boolean ready() {
            return state.equals(Step.READY.text());
        }

        @Override
        public String toString() {
            return domain + ": " + state + (detail == null || detail.isEmpty() ? "" : " — " + detail);
        }
    }

    static final String BUSY = "busy";
    static final String GONE = "removed";

    /** Runs the domain's steps until it rests, waits, blocks or {@code until} has passed. */
    public Report advance(DomainName domain, Instant until) {
        String owner = UUID.randomUUID().toString();
        Optional<Map<String, Object>> item = store.find(domain);
        if (item.isEmpty()) {
            return new Report(domain, GONE, "no row", 0);
        }
        if (!store.acquire(domain, Lifecycle.start(clock.instant()), lease(owner), clock.instant())) {
            return new Report(domain, BUSY, "another run is advancing it", 0);
        }
        int ran = 0;
        try {
            item = store.find(domain); // with the lease
            while (true) {
                if (item.isEmpty()) {
                    return new Report(domain, GONE, "the row was deleted", ran);
                }
                DomainRowView row = DomainRowView.of(domain, item.get());
                Lifecycle lc = row.lifecycle();
                if (lc == null || lc.lease() == null || !owner.equals(lc.lease().owner())) {
                    return new Report(domain, BUSY, "the row was replaced meanwhile; the next trigger carries on", ran);
                }
                Instant now = clock.instant();
                Step step = lc.stepFor(row.policy(), row.removeRequested());
                if (step == Step.READY && !lc.blocked() && steps.reportingStale(row, lc)) {
                    step = Step.REPORTING; // the stack's report addresses changed: publish them, then on to ready
                }
                if (step == Step.READY && !lc.blocked()) {
                    Lifecycle rest = lc.step() == Step.READY ? lc : lc.at(Step.READY, Steps.ready(lc), now);
                    if (rest != lc) {
                        store.saveLifecycle(domain, rest.withLease(lease(owner)), owner);
                    }
                    if (row.takeOver()) {
                        store.setWish(domain, DomainRow.TAKE_OVER, null); // done: a later record of another host blocks again
                    }
                    store.release(domain, owner);
                    return new Report(domain, rest.state(), rest.detail(), ran);
                }
                if (ran > 0 && now.isAfter(until)) {
                    store.release(domain, owner);
                    return new Report(domain, lc.state(), "to be continued: " + lc.detail(), ran);
                }
                Lifecycle entering = step == lc.step() ? lc : lc.at(step, step.doing(), now);
                Outcome outcome = run(step, row, entering);
                ran++;
                afterStep.accept(domain, step);
                if (outcome instanceof Outcome.Gone) {
                    return new Report(domain, GONE, outcome.detail(), ran); // with the row, the lease is gone
                }
                Lifecycle next = apply(domain, step, entering, outcome, now).withLease(lease(owner));
                // the row as it is after the write: a change the user made meanwhile is seen by the next step
                item = store.saveLifecycle(domain, next, owner);
                if (item.isEmpty()) {
                    return new Report(domain, BUSY, "lost the lease; the next trigger carries on", ran);
                }
                if (outcome instanceof Outcome.Wait w && w.retryIn().compareTo(WAIT_IN_PROCESS) <= 0
                        && clock.instant().plus(w.retryIn()).isBefore(until)) {
                    try {
                        sleeper.sleep(w.retryIn());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        store.release(domain, owner);
                        return new Report(domain, next.state(), next.detail(), ran);
                    }
                    item = store.find(domain);
                    continue;
                }
                if (!(outcome instanceof Outcome.Done || outcome instanceof Outcome.Jump)) {
                    store.release(domain, owner);
                    return new Report(domain, next.state(), next.detail(), ran);
                }
            }
        } catch (RuntimeException e) {
            store.release(domain, owner);
            throw e;
        }
    }

    /**
     * Removes what the stack made for a domain whose row is already gone (deleted directly, not through
     * {@code domain remove}): the removal steps on the row's last image, without a row to keep progress on. Every
     * step is idempotent, so a failure is simply retried by the caller.
     *
     * @throws IllegalStateException when a step cannot finish before {@code until} or is refused by AWS
     */
    public Report teardown(DomainName domain, Map<String, Object> lastImage, Instant until) {
        DomainRowView row = DomainRowView.of(domain, lastImage);
        Lifecycle lc = row.lifecycle() == null ? Lifecycle.start(clock.instant()) : row.lifecycle();
        int ran = 0;
        if (lc.zoneId() == null) {
            Outcome zone = run(Step.ZONE, row, lc); // the records to remove are in the domain's zone
            ran++;
            lc = zone.lifecycle();
        }
        for (Step step = Step.WITHDRAW_ANNOUNCEMENT; step != Step.DELETE_ROW; ) {
            Outcome outcome = run(step, row, lc);
            ran++;
            lc = outcome.lifecycle();
            if (outcome instanceof Outcome.Done) {
                step = step.next();
            } else if (outcome instanceof Outcome.Wait w && clock.instant().plus(w.retryIn()).isBefore(until)) {
                try {
                    sleeper.sleep(w.retryIn());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(domain + ": interrupted while " + step.doing());
                }
            } else {
                throw new IllegalStateException(domain + ": " + step.doing() + ": " + outcome.detail());
            }
        }
        return new Report(domain, GONE, "the row was deleted; removed what the stack had made for it", ran);
    }

    /**
     * A step, with every error turned into waiting (passing AWS errors, and anything unexpected, retried with
     * backoff and counted as {@code LifecycleErrors}) or blocking (AWS refusals): nothing loops silently.
     */
    private Outcome run(Step step, DomainRowView row, Lifecycle lc) {
        try {
            return steps.run(step, row, lc);
        } catch (SdkException e) {
            AwsErrors.Verdict v = AwsErrors.classify(step.doing(), e);
            if (!v.passing()) {
                return new Outcome.Blocked(lc, v.reason(), Steps.LOOK_AGAIN);
            }
            return retry(lc, v.reason());
        } catch (RuntimeException e) {
            emf.put(List.of(List.of("Domain"), List.of()), Map.of("Domain", row.domain().value()),
                    Map.of("LifecycleErrors", 1L), Map.of("Step", step.text(), "Error", String.valueOf(e)));
            return retry(lc, "unexpected error while " + step.doing() + ": " + e.getMessage()
                    + " (the lifecycle function's log has the details)");
        }
    }

    private Outcome retry(Lifecycle lc, String reason) {
        Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(lc.attempts(), 8));
        backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
        Lifecycle failing = lc.failing("retrying in " + backoff.toSeconds() + " s (attempt " + (lc.attempts() + 1)
                + "): " + reason, clock.instant().plus(backoff));
        if (failing.attempts() >= BLOCK_AFTER) {
            return new Outcome.Blocked(failing, "keeps failing: " + reason, backoff);
        }
        return new Outcome.Wait(failing, failing.detail(), backoff);
    }

    private Lifecycle apply(DomainName domain, Step step, Lifecycle lc, Outcome outcome, Instant now) {
        Lifecycle after = outcome.lifecycle();
        if (outcome instanceof Outcome.Done d) {
            Step next = step.next() == null ? step : step.next();
            return after.at(next, next == Step.READY ? Steps.ready(after) : d.detail(), now);
        }
        if (outcome instanceof Outcome.Jump j) {
            return after.at(j.to(), j.detail(), now);
        }
        if (outcome instanceof Outcome.Wait w) {
            return after.attempts() > lc.attempts() ? after : after.waiting(w.detail(), now.plus(w.retryIn()));
        }
        if (outcome instanceof Outcome.Blocked b) {
            if (!lc.blocked()) {
                emf.put(List.of(List.of("Domain"), List.of()), Map.of("Domain", domain.value()),
                        Map.of("DomainsBlocked", 1L), Map.of("Step", step.text(), "Reason", b.detail()));
            }
            return after.blockedBy(b.detail(), now, now.plus(b.lookAgainIn()));
        }
        throw new IllegalStateException("no lifecycle after " + outcome);
    }

    private Lifecycle.Lease lease(String owner) {
        return new Lifecycle.Lease(owner, clock.instant().plus(LEASE));
    }

    /**
     * Whether the domain has work to do now: not at rest, and not waiting for a later time. A domain whose lease is
     * held is left to its holder; an expired lease (a crashed run) is taken over.
     */
    public boolean due(Map<String, Object> item, Instant now) {
        DomainRowView row;
        String key = String.valueOf(item.get("domain"));
        try {
            DomainName name = DomainName.parse(key);
            if (!name.value().equals(key)) {
                return false; // a key written by hand (Bad.Example): not a domain the stack serves; domain get says why
            }
            row = DomainRowView.of(name, item);
        } catch (dev.mtasts.core.InvalidException e) {
            return false;
        }
        Lifecycle lc = row.lifecycle();
        if (lc == null) {
            return true;
        }
        if (lc.lease() != null && lc.lease().until().isAfter(now)) {
            return false;
        }
        Step step = lc.stepFor(row.policy(), row.removeRequested());
        if (step != lc.step()) {
            return true; // the row asks for something new: a changed policy, a removal
        }
        if (lc.atRest(row.policy(), row.removeRequested())) {
            return steps.reportingStale(row, lc); // ReportMailboxes changed since it was published
        }
        return lc.retryAt() == null || !lc.retryAt().isAfter(now);
    }
}
