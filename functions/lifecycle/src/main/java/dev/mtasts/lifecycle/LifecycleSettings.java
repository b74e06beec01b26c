package dev.mtasts.lifecycle;

import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import dev.mtasts.store.StateStore;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.apigatewayv2.ApiGatewayV2Client;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.PriorRequestNotCompleteException;
import software.amazon.awssdk.services.route53.model.ThrottlingException;

/**
 * The lifecycle function's collaborators, built once per container from the environment template.yaml sets. Endpoints
 * follow the SDK's standard settings ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_<SERVICE>}), so
 * {@code mta-sts serve}'s {@code sam-local-env.json} can point {@code sam local} at emulators.
 */
public final class LifecycleSettings {
    public static final String STACK_ENV = "STACK_NAME";
    public static final String API_ENV = "HTTP_API_ID";
    public static final String MAILBOXES_ENV = "REPORT_MAILBOXES";
    public static final String TTL_ENV = "STS_TXT_TTL";
    public static final long DEFAULT_TTL = 300;
    /** For sam local: fetch policies from this http:// listener (the local stack's) instead of the policy host. */
    public static final String LIVE_CHECK_ENV = "LIVE_CHECK_URL";
    /** The stack's SNS topic for alerts; empty: none. */
    public static final String ALERT_TOPIC_ENV = "ALERT_TOPIC_ARN";
    /** {@code true} where the template's AllowMxSwitch lets the stack change MX records ({@code --switch-mx}). */
    public static final String MX_SWITCH_ENV = "ALLOW_MX_SWITCH";
    /** The template's DelegationZone: the public hosted zone delegated domains' records live under; empty: off. */
    public static final String DELEGATION_ZONE_ENV = "DELEGATION_ZONE";

    private LifecycleSettings() {
    }

    static DomainLifecycle lifecycle(Map<String, String> env) {
        AwsCredentialsProvider credentials = Dynamo.lambdaCredentials(env);
        Region region = Dynamo.region(env);
        DomainStore store = store(env);
        AcmClient acm = AcmClient.builder().httpClient(UrlConnectionHttpClient.create()).region(region)
                .credentialsProvider(credentials).build();
        ApiGatewayV2Client api = ApiGatewayV2Client.builder().httpClient(UrlConnectionHttpClient.create()).region(region)
                .credentialsProvider(credentials).build();
        String stack = required(env, STACK_ENV);
        String apiId = env.get(API_ENV);
        if (apiId == null || apiId.isBlank()) {
            apiId = CustomDomains.findApi(api, stack); // sam local: the API the local stack made, named after the stack
        }
        if (apiId == null) {
            throw new IllegalStateException(API_ENV + " is not set and no HTTP API is named " + stack);
        }
        String live = env.get(LIVE_CHECK_ENV);
        return DomainLifecycle.of(store, new Zones(route53(credentials)), new Certificates(acm, stack),
                new CustomDomains(api, apiId.strip(), stack), policyHost(live == null || live.isBlank() ? null : java.net.URI.create(live.strip())),
                null, mailboxes(env.get(MAILBOXES_ENV)), ttl(env.get(TTL_ENV)), Emf.toStdout(), Clock.systemUTC())
                .withMxMoves(alerts(env), "true".equalsIgnoreCase(String.valueOf(env.get(MX_SWITCH_ENV)).strip()))
                .withDelegation(env.get(DELEGATION_ZONE_ENV), dev.mtasts.sender.Dns.system(java.time.Duration.ofSeconds(5)));
    }

    /** Publishes to the stack's alert topic (subject, body), or null when the stack has none. */
    static java.util.function.BiConsumer<String, String> alerts(Map<String, String> env) {
        String topic = env.get(ALERT_TOPIC_ENV);
        if (topic == null || topic.isBlank()) {
            return null;
        }
        software.amazon.awssdk.services.sns.SnsClient sns = software.amazon.awssdk.services.sns.SnsClient.builder()
                .httpClient(UrlConnectionHttpClient.create()).region(Dynamo.region(env))
                .credentialsProvider(Dynamo.lambdaCredentials(env)).build();
        return (subject, body) -> sns.publish(r -> r.topicArn(topic.strip()).subject(subject).message(body));
    }

    /** Where the live check fetches: the policy host itself, or a local http:// listener given the host as Host. */
    public static java.util.function.Function<dev.mtasts.core.DomainName, PolicyFetch.Target> policyHost(java.net.URI url) {
        if (url == null) {
            return d -> PolicyFetch.Target.https(d.policyHost());
        }
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("the live check URL must be an http:// URL such as http://127.0.0.1:8080 (got \"" + url + "\")");
        }
        java.net.InetAddress address;
        try {
            address = java.net.InetAddress.getByName(url.getHost());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("the live check URL: " + url.getHost() + " does not resolve");
        }
        int port = url.getPort() < 0 ? 80 : url.getPort();
        return d -> PolicyFetch.Target.plain(d.policyHost(), address, port);
    }

    /** The domains table of the function's environment, with the stack's state table beside it. */
    static DomainStore store(Map<String, String> env) {
        String table = env.getOrDefault(DomainStore.TABLE_ENV, DomainStore.DEFAULT_TABLE);
        return new DomainStore(Dynamo.fromEnvironment(env), table)
                .withState(env.getOrDefault(StateStore.TABLE_ENV, StateStore.beside(table)));
    }

    /**
     * Route53 is global. Its change API answers {@code PriorRequestNotComplete} and throttles at a few requests a
     * second per account: both are retried with backoff, more patiently than the SDK's default.
     */
    public static Route53Client route53(AwsCredentialsProvider credentials) {
        return Route53Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(8)
                        .retryOnException(e -> e instanceof PriorRequestNotCompleteException
                                || e instanceof ThrottlingException)))
                .build();
    }

    /** {@code tlsrpt@example.com,reports@example.org}: extra report addresses, after the stack's HTTPS endpoint. */
    public static List<String> mailboxes(String list) {
        return list == null || list.isBlank() ? List.of()
                : Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static long ttl(String value) {
        return value == null || value.isBlank() ? DEFAULT_TTL : Long.parseLong(value.strip());
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set (template.yaml sets it)");
        }
        return v.strip();
    }
}
