package dev.mtasts.dns;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.store.DomainStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every few minutes (an EventBridge schedule): resumes every domain that is not at rest, whose wait is over, or whose
 * run crashed (its lease expired). Blocked domains are looked at again too, since the user may have fixed the cause.
 * The event's content does not matter.
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
        for (Map<String, Object> item : store.list()) {
            rows++;
            if (runner.lifecycle().due(item, now)) {
                try {
                    due.add(DomainName.parse(String.valueOf(item.get(DomainRow.DOMAIN))));
                } catch (InvalidException e) {
                    log(context, LogLevel.WARN, "row key \"" + item.get(DomainRow.DOMAIN) + "\" is not a domain name; skipped");
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
