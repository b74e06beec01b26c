package dev.mtasts.lifecycle;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.DomainView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every few minutes (an EventBridge schedule): resumes every domain that is not at rest, whose wait is over, or whose
 * run crashed (its lease expired). Blocked domains are looked at again too, since the user may have fixed the cause;
 * so are domains whose row is gone while the stack's state still names what it made (a deletion whose stream record
 * was lost is still taken down). The event's content does not matter.
 */
public final class LifecycleScheduleHandler implements RequestHandler<Map<String, Object>, String> {
    private final DomainStore store;
    private final Runner runner;
    private final Clock clock;

    public LifecycleScheduleHandler() {
        this(LifecycleSettings.store(System.getenv()), new Runner(LifecycleSettings.lifecycle(System.getenv())),
                Clock.systemUTC());
    }

    public LifecycleScheduleHandler(DomainStore store, Runner runner, Clock clock) {
        this.store = store;
        this.runner = runner;
        this.clock = clock;
    }

    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        Instant now = clock.instant();
        List<DomainName> due = new ArrayList<>();
        int rows = 0;
        for (DomainView domain : store.views()) {
            rows += domain.rowDeleted() ? 0 : 1;
            if (runner.lifecycle().due(domain, now)) {
                try {
                    due.add(DomainName.parse(domain.key()));
                } catch (InvalidException e) {
                    log(context, LogLevel.WARN, "row key \"" + domain.key() + "\" is not a domain name; skipped");
                }
            }
        }
        Map<DomainName, Boolean> failed = runner.advanceAll(due, context);
        long failures = failed.values().stream().filter(f -> f).count();
        String summary = rows + " rows, " + due.size() + " advanced" + (failures == 0 ? "" : ", " + failures + " failed");
        if (!due.isEmpty()) {
            log(context, failures == 0 ? LogLevel.INFO : LogLevel.ERROR, summary);
        }
        return summary;
    }
}
