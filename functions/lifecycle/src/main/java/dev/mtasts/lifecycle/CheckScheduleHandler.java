package dev.mtasts.lifecycle;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.sender.Dns;
import dev.mtasts.sender.DomainCheck;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.sender.Sender;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sns.SnsClient;

/** Once a day (an EventBridge schedule): {@link DailyCheck} of every announced domain. The event's content does not matter. */
public final class CheckScheduleHandler implements RequestHandler<Map<String, Object>, String> {
    static final String ALERT_TOPIC_ENV = "ALERT_TOPIC_ARN";

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
        String topic = env.get(ALERT_TOPIC_ENV);
        BiConsumer<String, String> alert = null;
        if (topic != null && !topic.isBlank()) {
            SnsClient sns = SnsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Dynamo.region(env))
                    .credentialsProvider(Dynamo.lambdaCredentials(env)).build();
            alert = (subject, body) -> sns.publish(r -> r.topicArn(topic.strip()).subject(subject).message(body));
        }
        return new DailyCheck(LifecycleSettings.store(env), new DomainCheck(sender, null, Clock.systemUTC()),
                Emf.toStdout(), alert, Clock.systemUTC());
    }

    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        DailyCheck.Summary s = daily.run();
        String summary = s.checked() + " domains checked, " + s.failing() + " failing, " + s.alerts() + " alerts sent";
        log(context, s.failing() == 0 ? LogLevel.INFO : LogLevel.WARN, summary);
        return summary;
    }
}
