package dev.mtasts.lifecycle;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Lifecycle.Step;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.DomainView;
import dev.mtasts.store.Emf;
import dev.mtasts.store.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;

/**
 * Advances one domain through the lifecycle ({@link Lifecycle.Step}): takes the domain's lease, runs steps until one
 * has to wait, blocks, or the time is up, and writes the progress to the stack's state table after every step, so
 * that a crash at any point resumes where it stopped. Two triggers for one domain never run at once: the second finds
 * the lease taken. The row is only read: whatever the user writes there, or deletes, what the stack made is known
 * from its own state, and a row deleted directly has everything taken down from that state.
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
    /** AWS limiting the rate of requests: waited out for this, plus up to as much again so that domains spread. */
    static final Duration THROTTLE_BACKOFF = Duration.ofSeconds(60);
    /** A quota reached is looked at again this often: raising one takes hours, freeing room happens any time. */
    static final Duration QUOTA_LOOK_AGAIN = Duration.ofHours(1);

    private final DomainStore rows;
    private final StateStore states;
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
        if (store.state() == null) {
            throw new IllegalArgumentException("the lifecycle needs the stack's state table beside the domains table");
        }
        this.rows = store;
        this.states = store.state();
        this.steps = steps;
        this.emf = emf;
        this.clock = clock;
        this.afterStep = afterStep;
        this.sleeper = sleeper;
    }

    /**
     * The lifecycle with its collaborators: the domains table and the stack's state table beside it
     * ({@link DomainStore#withState}), Route53, ACM, API Gateway (the stack's HTTP API), and where the live check
     * fetches each domain's policy from.
     */
    public static DomainLifecycle of(DomainStore store, Zones zones, Certificates certificates, CustomDomains customDomains,
            java.util.function.Function<DomainName, dev.mtasts.sender.PolicyFetch.Target> policyHost,
            javax.net.ssl.SSLContext trust, List<String> mailboxes, long txtTtl, Emf emf, Clock clock) {
        Steps steps = new Steps(store, zones, certificates, customDomains,
                new dev.mtasts.sender.PolicyFetch(trust, Duration.ofSeconds(10)), policyHost, emf, clock,
                new Steps.Settings(mailboxes, txtTtl));
        return new DomainLifecycle(store, steps, emf, clock, (d, s) -> { }, d -> Thread.sleep(d.toMillis()));
    }

    /**
     * The same, with MX moves ({@code domain move-mx}) alerting to {@code alert} (a subject under 100 characters and a
     * body; null sends none), and changing a domain's MX records itself where asked ({@code --switch-mx}) only if
     * {@code mayWriteMx} (the template's AllowMxSwitch).
     */
    public DomainLifecycle withMxMoves(BiConsumer<String, String> alert, boolean mayWriteMx) {
        return new DomainLifecycle(rows, steps.withMxMoves(alert, mayWriteMx), emf, clock, afterStep, sleeper);
    }

    /**
     * The same, with domains whose DNS is not in Route53 ({@code dns: delegated}) kept under the public hosted zone
     * named {@code zone} (the template's DelegationZone; empty or null: delegation is off), their CNAMEs and MX records
     * read from public DNS through {@code dns}.
     */
    public DomainLifecycle withDelegation(String zone, dev.mtasts.sender.Dns dns) {
        return new DomainLifecycle(rows, steps.withDelegation(zone, dns), emf, clock, afterStep, sleeper);
    }

    /** The same, with a hook run after every step and before its progress is written: tests crash there. */
    DomainLifecycle withHook(BiConsumer<DomainName, Step> hook, Sleeper sleeper) {
        return new DomainLifecycle(rows, steps, emf, clock, hook, sleeper);
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
        Map<String, Object> row = rows.find(domain).orElse(null);
        if (row != null && !adopt(domain, row)) {
            return new Report(domain, BUSY, "a run of the stack's previous version is advancing it", 0);
        }
        if (row == null && states.find(domain).isEmpty()) {
            return new Report(domain, GONE, "no row", 0);
        }
        Lifecycle lc = states.acquire(domain, Lifecycle.start(clock.instant()), lease(owner), clock.instant()).orElse(null);
        if (lc == null) {
            return new Report(domain, BUSY, "another run is advancing it", 0);
        }
        int ran = 0;
        boolean looked = false; // the MX records are read once a run, and again after a new id is announced
        try {
            while (true) {
                DomainRowView view = DomainRowView.of(domain, row, lc);
                Instant now = clock.instant();
                Step step = lc.stepFor(view.policy(), view.removeRequested());
                if (step == Step.READY && !lc.blocked() && steps.mappingStale(lc)) {
                    step = Step.CUSTOM_DOMAIN; // a new HTTP API (the stack deployed again): map to it, check live again
                }
                if (step == Step.READY && !lc.blocked() && steps.reportingStale(view, lc)) {
                    step = Step.REPORTING; // the stack's report addresses changed: publish them, then on to ready
                }
                if (step == Step.READY && !lc.blocked() && !looked && steps.mxDue(view, lc, now)) {
                    step = Step.MX; // an MX move under way, or a seeded policy following the zone's MX records
                }
                if (step == Step.READY && !lc.blocked()) {
                    Lifecycle rest = lc.step() == Step.READY ? lc : lc.at(Step.READY, Steps.ready(lc), now);
                    if (rest != lc) {
                        states.save(domain, rest.withLease(lease(owner)), owner);
                    }
                    if (view.takeOver()) {
                        rows.setWish(domain, DomainRow.TAKE_OVER, null); // done: a later record of another host blocks again
                    }
                    states.release(domain, owner);
                    return new Report(domain, rest.state(), rest.detail(), ran);
                }
                if (ran > 0 && now.isAfter(until)) {
                    states.release(domain, owner);
                    return new Report(domain, lc.state(), "to be continued: " + lc.detail(), ran);
                }
                Lifecycle entering = step == lc.step() ? lc : lc.at(step, step.doing(), now);
                Outcome outcome = run(step, view, entering);
                ran++;
                looked = step == Step.MX || looked && step != Step.ANNOUNCE;
                afterStep.accept(domain, step);
                if (outcome instanceof Outcome.Gone) {
                    states.removed(domain, owner, clock.instant());
                    return new Report(domain, GONE, outcome.detail(), ran);
                }
                Lifecycle next = apply(domain, step, entering, outcome, now).withLease(lease(owner));
                if (!states.save(domain, next, owner)) {
                    return new Report(domain, BUSY, "lost the lease; the next trigger carries on", ran);
                }
                lc = next;
                // the row as it is now: a change the user made meanwhile is seen by the next step
                row = rows.find(domain).orElse(null);
                if (outcome instanceof Outcome.Wait w && w.retryIn().compareTo(WAIT_IN_PROCESS) <= 0
                        && clock.instant().plus(w.retryIn()).isBefore(until)) {
                    try {
                        sleeper.sleep(w.retryIn());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        states.release(domain, owner);
                        return new Report(domain, next.state(), next.detail(), ran);
                    }
                    row = rows.find(domain).orElse(null);
                    continue;
                }
                if (!(outcome instanceof Outcome.Done || outcome instanceof Outcome.Jump)) {
                    states.release(domain, owner);
                    return new Report(domain, next.state(), next.detail(), ran);
                }
            }
        } catch (RuntimeException e) {
            states.release(domain, owner);
            throw e;
        }
    }

    /**
     * Moves what a row of an earlier version carries ({@code lifecycle}, {@code check}) into the stack's state table,
     * the first time the stack sees it, and takes it off the row. False while a run of that version still holds the
     * lease it kept on the row: the move waits for the lease to end.
     */
    public boolean adopt(DomainName domain, Map<String, Object> row) {
        Lifecycle legacy = Lifecycle.of(row);
        if (legacy == null) {
            return true;
        }
        if (states.find(domain).isPresent()) {
            rows.forgetLegacy(domain); // the state table has it already, which wins: only the row is tidied
            return true;
        }
        if (legacy.lease() != null && legacy.lease().until().isAfter(clock.instant())) {
            return false;
        }
        return adoptDeleted(domain, row);
    }

    /**
     * The same for a row of an earlier version deleted directly, from its last image: no run of that version can
     * write its progress on a row that is gone, so its lease does not matter. The removal then goes by that state.
     */
    public boolean adoptDeleted(DomainName domain, Map<String, Object> row) {
        Lifecycle legacy = Lifecycle.of(row);
        if (legacy == null) {
            return true;
        }
        states.adopt(domain, steps.takeOver(domain, legacy), row.get(StateStore.CHECK)); // false: the state table has it already
        rows.forgetLegacy(domain);
        return true;
    }


    /**
     * A step, with every error turned into waiting (passing AWS errors, and anything unexpected, retried with
     * backoff and counted as {@code LifecycleErrors}) or blocking (AWS refusals): nothing loops silently.
     */
    private Outcome run(Step step, DomainRowView row, Lifecycle lc) {
        try {
            return steps.run(step, row, lc);
        } catch (NoSuchHostedZoneException e) {
            return steps.zoneGone(step, row, lc);
        } catch (SdkException e) {
            AwsErrors.Verdict v = AwsErrors.classify(step.doing(), e);
            return switch (v.kind()) {
                case PASSING -> retry(lc, v.reason());
                case THROTTLED -> {
                    Duration wait = THROTTLE_BACKOFF.plusMillis(ThreadLocalRandom.current().nextLong(THROTTLE_BACKOFF.toMillis()));
                    yield new Outcome.BackOff(lc, v.reason() + " in " + wait.toSeconds() + " s", wait);
                }
                case QUOTA -> new Outcome.Blocked(lc, v.reason(), QUOTA_LOOK_AGAIN);
                case REFUSED -> new Outcome.Blocked(lc, v.reason(), Steps.LOOK_AGAIN);
            };
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
        if (outcome instanceof Outcome.BackOff b) {
            return after.backingOff(b.detail(), now.plus(b.retryIn()));
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
     * held is left to its holder; an expired lease (a crashed run) is taken over. A row the stack has no state for
     * is due (new, or of an earlier version, to be moved); so is state whose row is gone (to be taken down).
     */
    public boolean due(DomainView domain, Instant now) {
        DomainName name;
        try {
            name = DomainName.parse(domain.key());
        } catch (dev.mtasts.core.InvalidException e) {
            return false;
        }
        if (!name.value().equals(domain.key())) {
            return false; // a key written by hand (Bad.Example): not a domain the stack serves; domain get says why
        }
        if (domain.state() == null) {
            return domain.row() != null;
        }
        Lifecycle lc = domain.lifecycle();
        if (lc == null) {
            return false;
        }
        if (lc.lease() != null && lc.lease().until().isAfter(now)) {
            return false;
        }
        DomainRowView row = DomainRowView.of(name, domain.row(), lc);
        Step step = lc.stepFor(row.policy(), row.removeRequested());
        if (step != lc.step()) {
            return true; // the row asks for something new: a changed policy, a removal
        }
        if (lc.atRest(row.policy(), row.removeRequested())) {
            // a new HTTP API; ReportMailboxes changed since it was published; an MX move under way, or a seeded
            // policy to follow
            return steps.mappingStale(lc) || steps.reportingStale(row, lc) || steps.mxDue(row, lc, now);
        }
        return lc.retryAt() == null || !lc.retryAt().isAfter(now);
    }
}
