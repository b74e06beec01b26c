package dev.mtasts.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.report.Limits;
import dev.mtasts.emulators.LambdaContext;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.store.Dynamo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Every stored report sends its metrics and alert exactly once, whatever happens to the answer its sender gets or
 * to SNS: they follow from the reports table's stream (DynamoDB Local's), and alerts go to SNS (moto_server's) at
 * most once an hour per domain.
 */
class NoticesTest {
    @TempDir
    static Path data;
    static Stack stack;
    static MotoServer moto;
    static SnsClient sns;
    static HttpReportHandler handler;

    @BeforeAll
    static void start() {
        stack = new Stack();
        moto = MotoServer.start();
        sns = SnsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint()).build();
        handler = new HttpReportHandler(stack.ingest(Limits.DEFAULT, true), new FolderRawStore(data),
                stack.allowance(), Limits.DEFAULT.maxCompressedBytes(), Stack.CLOCK);
        // a domain each, so that one test's alerts do not hold back another's
        for (String d : List.of("lost.example", "sns.example", "burst.example", "custom.example")) {
            stack.domains.putItem(java.util.Map.of("domain", d, "mode", "testing", "mx", List.of("mail." + d),
                    "max_age", new java.math.BigDecimal(86400)));
        }
    }

    @AfterAll
    static void stop() {
        sns.close();
        moto.close();
        stack.close();
    }

    static APIGatewayV2HTTPResponse post(HttpReportHandler h, String report) {
        return post(h, report, null);
    }

    static APIGatewayV2HTTPResponse post(HttpReportHandler h, String report, LambdaContext context) {
        return h.handleRequest(HttpReportHandlerTest.post("mta-sts.example.com", "application/tlsrpt+json",
                report.getBytes(StandardCharsets.UTF_8), false), context);
    }

    static String report(String organization, String id, String domain, long failed) {
        return Stack.report(id, domain, 10, failed).replace("Google Inc.", organization);
    }

    /** Captured lines holding every one of the texts. */
    static long count(List<String> lines, String... texts) {
        synchronized (lines) {
            return lines.stream().filter(l -> java.util.Arrays.stream(texts).allMatch(l::contains)).count();
        }
    }

    /** Publishes to a topic of moto_server's SNS, and notes what SNS took. */
    static final class Topic {
        final String arn;
        final List<String> sent = Collections.synchronizedList(new ArrayList<>());

        Topic(String name, boolean create) {
            arn = create ? sns.createTopic(r -> r.name(name)).topicArn() : "arn:aws:sns:us-east-1:123456789012:" + name;
        }

        void publish(String subject, String body) {
            sns.publish(r -> r.topicArn(arn).subject(subject).message(body));
            sent.add(subject + "\n" + body);
        }
    }

    /** A clock a test moves on. */
    static final class MovingClock extends Clock {
        Instant now = Stack.CLOCK.instant();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /**
     * The transaction commits but its reply is lost: the sender is asked to retry and its retry is a duplicate. The
     * report's metrics and alert still go out, once, even when Lambda hands the stream records over twice.
     */
    @Test
    void aLostReplyStillSendsMetricsAndAlertOnce() {
        HttpReportHandler losing = new HttpReportHandler(stack.ingest(new ExecutionInterceptor() {
            private boolean lost;

            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (!lost && context.request().getClass().getSimpleName().equals("TransactWriteItemsRequest")) {
                    lost = true;
                    throw SdkClientException.create("reply lost", new IOException("Connection reset"));
                }
            }
        }), new FolderRawStore(data), stack.allowance(), Limits.DEFAULT.maxCompressedBytes(), Stack.CLOCK);
        String body = report("Lost Reply Ltd", "lost-1", "lost.example", 4);
        LambdaContext context = new LambdaContext();
        APIGatewayV2HTTPResponse first = post(losing, body, context);
        assertEquals(503, first.getStatusCode(), first.getBody());
        assertEquals(List.of("cannot store the report now: DynamoDB unreachable: connection failed"),
                context.lines(LogLevel.ERROR));
        APIGatewayV2HTTPResponse retry = post(losing, body);
        assertEquals(200, retry.getStatusCode(), retry.getBody());

        Topic topic = new Topic("lost-reply", true);
        ReportStreamHandler stream = stack.streamHandler(topic::publish, Stack.CLOCK);
        DynamodbEvent batch = stack.pending();
        assertEquals(List.of(), stream.handleRequest(batch, null).getBatchItemFailures());
        assertEquals(List.of(), stream.handleRequest(batch, null).getBatchItemFailures(), "handed over twice");
        assertEquals(1, count(stack.metrics, "\"Organization\":\"Lost Reply Ltd\"", "\"SessionsFailed\":4"),
                stack.metrics.toString());
        assertEquals(1, topic.sent.size(), topic.sent.toString());
        assertTrue(topic.sent.get(0).startsWith("MTA-STS: 4 failed TLS sessions for lost.example (Lost Reply Ltd)\n"),
                topic.sent.get(0));
    }

    /**
     * SNS failing is no reason to have a stored report sent again: the sender gets 201, the metrics go out once, and
     * the alert once SNS takes it.
     */
    @Test
    void anSnsFailureIsNot503AndTheAlertFollowsOnce() {
        assertEquals(201, post(handler, report("Sns Down Corp", "sns-1", "sns.example", 2)).getStatusCode());
        Topic missing = new Topic("sns-down", false);
        LambdaContext context = new LambdaContext();
        StreamsEventResponse failed = stack.notices(stack.streamHandler(missing::publish, Stack.CLOCK), context);
        assertEquals(1, failed.getBatchItemFailures().size(), "handed back for a retry");
        assertEquals(1, context.lines(LogLevel.ERROR).size(), context.lines().toString());
        assertTrue(context.lines(LogLevel.ERROR).get(0).startsWith("alert for sns.example not sent, retried: "),
                context.lines().toString());
        assertEquals(List.of(), missing.sent);

        Topic back = new Topic("sns-down", true);
        StreamsEventResponse retried = stack.notices(stack.streamHandler(back::publish, Stack.CLOCK));
        assertEquals(List.of(), retried.getBatchItemFailures());
        assertEquals(1, back.sent.size(), back.sent.toString());
        assertTrue(back.sent.get(0).startsWith("MTA-STS: 2 failed TLS sessions for sns.example (Sns Down Corp)\n"));
        assertEquals(1, count(stack.metrics, "\"Organization\":\"Sns Down Corp\""), "metrics once");
    }

    /**
     * A burst of failure reports (forged or not) sends one alert, which counts them; what comes within the hour is
     * held, and the next alert, an hour later at the earliest, counts that too.
     */
    @Test
    void aBurstOfFailureReportsSendsOneAlertAnHour() {
        Topic topic = new Topic("burst", true);
        MovingClock clock = new MovingClock();
        ReportStreamHandler stream = stack.streamHandler(topic::publish, clock);
        stack.notices(stream); // what earlier tests left
        topic.sent.clear();
        for (int i = 0; i < 30; i++) {
            assertEquals(201, post(handler, report("Burst " + i, "burst-a-" + i, "burst.example", 1)).getStatusCode());
        }
        stack.notices(stream);
        for (int i = 0; i < 70; i++) {
            assertEquals(201, post(handler, report("Burst " + i, "burst-b-" + i, "burst.example", 2)).getStatusCode());
        }
        clock.now = clock.now.plus(Duration.ofMinutes(59));
        stack.notices(stream);
        assertEquals(1, topic.sent.size(), topic.sent.toString());
        assertTrue(topic.sent.get(0).startsWith("MTA-STS: 30 failed TLS sessions for burst.example in 30 reports\n"),
                topic.sent.get(0));

        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertEquals(201, post(handler, report("Burst late", "burst-c", "burst.example", 5)).getStatusCode());
        stack.notices(stream);
        assertEquals(2, topic.sent.size(), topic.sent.toString());
        assertTrue(topic.sent.get(1).startsWith("MTA-STS: 145 failed TLS sessions for burst.example in 71 reports\n"),
                topic.sent.get(1));
        assertTrue(topic.sent.get(1).contains("This alert covers 71 reports with failures for burst.example (145 failed "
                + "sessions) since the last alert, 2026-11-23T10:00:00Z."), topic.sent.get(1));
        assertEquals(101, count(stack.metrics, "\"Organization\":\"Burst"), "metrics for each report, once");
    }

    /** A report's result types outside the registry do not mint metrics: they are FailedSessions of "other". */
    @Test
    void resultTypesAMetricNamesAreBounded() {
        String custom = report("Custom Types", "custom-1", "custom.example", 3).replace("certificate-expired",
                "made-up-" + "x".repeat(40));
        assertEquals(201, post(handler, custom).getStatusCode());
        stack.notices();
        assertEquals(1, count(stack.metrics, "\"Domain\":\"custom.example\"", "\"ResultType\":\"other\"",
                "\"FailedSessions\":3"), stack.metrics.toString());
        assertEquals(0, count(stack.metrics, "made-up-"));
    }
}
