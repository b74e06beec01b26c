package dev.mtasts.lifecycle;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.DomainName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the lifecycle for several domains of one invocation, a few at a time, and stops starting new steps in time
 * for the function to answer: what is left is resumed by the next schedule.
 */
public final class Runner {
    /** Domains advanced at once: enough to overlap AWS round trips, few enough for Route53's request rate. */
    static final int PARALLEL = 4;
    /** Kept free at the end of an invocation for writing progress and answering. */
    static final Duration MARGIN = Duration.ofSeconds(20);

    private final DomainLifecycle lifecycle;
    private final Clock clock;

    public Runner(DomainLifecycle lifecycle) {
        this(lifecycle, Clock.systemUTC());
    }

    public Runner(DomainLifecycle lifecycle, Clock clock) {
        this.lifecycle = lifecycle;
        this.clock = clock;
    }

    public DomainLifecycle lifecycle() {
        return lifecycle;
    }

    /** When to stop starting steps: the function's remaining time less a margin (a minute without a context). */
    Instant until(Context context) {
        long left = context == null ? 60_000 : context.getRemainingTimeInMillis();
        return clock.instant().plusMillis(Math.max(1_000, left - MARGIN.toMillis()));
    }

    /** Advances each domain; the value says whether it failed (to be retried by the event source). */
    public Map<DomainName, Boolean> advanceAll(List<DomainName> domains, Context context) {
        Map<DomainName, Boolean> failed = new LinkedHashMap<>();
        if (domains.isEmpty()) {
            return failed;
        }
        Instant until = until(context);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, domains.size()));
        try {
            Map<DomainName, Future<DomainLifecycle.Report>> running = new LinkedHashMap<>();
            for (DomainName d : domains) {
                running.put(d, pool.submit(() -> lifecycle.advance(d, until)));
            }
            running.forEach((d, f) -> {
                try {
                    DomainLifecycle.Report r = f.get();
                    if (r.steps() > 0 || !r.ready()) { // a domain found at rest has nothing to say
                        log(context, r.state().equals("blocked") ? LogLevel.WARN : LogLevel.INFO, r.toString());
                    }
                    failed.put(d, false);
                } catch (ExecutionException e) {
                    log(context, LogLevel.ERROR, d + ": lifecycle failed, will be retried: " + e.getCause());
                    failed.put(d, true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.put(d, true);
                }
            });
        } finally {
            pool.shutdownNow();
        }
        return failed;
    }
}
