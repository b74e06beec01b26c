package dev.mtasts.lifecycle;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.sender.Dns;
import dev.mtasts.sender.DomainCheck;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.sender.Sender;
import dev.mtasts.store.Emf;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;

/** Once a day (an EventBridge schedule): {@link DailyCheck} of every announced domain. The event's content does not matter. */
public final class CheckScheduleHandler implements RequestHandler<Map<String, Object>, String> {
    static final String ALERT_TOPIC_ENV = LifecycleSettings.ALERT_TOPIC_ENV;

    private final DailyCheck daily;

    public CheckScheduleHandler() {
        this(fromEnvironment(System.getenv()));
    }

    public CheckScheduleHandler(DailyCheck daily) {
        this.daily = daily;
    }

    static DailyCheck fromEnvironment(Map<String, String> env) {
        Duration t = Duration.ofSeconds(5);
        Sender sender = new Sender(Dns.system(t), new PolicyFetch(null, t), 443);
        BiConsumer<String, String> alert = LifecycleSettings.alerts(env);
        return new DailyCheck(LifecycleSettings.store(env), new DomainCheck(sender, null, Clock.systemUTC()),
                Emf.toStdout(), alert, Clock.systemUTC()).withPublicDns(sender.dns());
    }

    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        DailyCheck.Summary s = daily.run();
        String summary = s.checked() + " domains checked, " + s.failing() + " failing, " + s.alerts() + " alerts sent";
        log(context, s.failing() == 0 ? LogLevel.INFO : LogLevel.WARN, summary);
        return summary;
    }
}
