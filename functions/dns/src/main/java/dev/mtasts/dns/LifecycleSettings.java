package dev.mtasts.dns;

import dev.mtasts.probe.PolicyFetch;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
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
 * {@code infra/env.json} can point {@code sam local} at emulators.
 */
public final class LifecycleSettings {
    public static final String STACK_ENV = "STACK_NAME";
    public static final String API_ENV = "HTTP_API_ID";
    public static final String MAILBOXES_ENV = "REPORT_MAILBOXES";
    public static final String TTL_ENV = "STS_TXT_TTL";
    public static final long DEFAULT_TTL = 300;

    private LifecycleSettings() {
    }

    static DomainLifecycle lifecycle(Map<String, String> env) {
        AwsCredentialsProvider credentials = Dynamo.lambdaCredentials(env);
        Region region = Dynamo.region(env);
        DomainStore store = new DomainStore(Dynamo.fromEnvironment(env),
                env.getOrDefault(DomainStore.TABLE_ENV, DomainStore.DEFAULT_TABLE));
        AcmClient acm = AcmClient.builder().httpClient(UrlConnectionHttpClient.create()).region(region)
                .credentialsProvider(credentials).build();
        ApiGatewayV2Client api = ApiGatewayV2Client.builder().httpClient(UrlConnectionHttpClient.create()).region(region)
                .credentialsProvider(credentials).build();
        String stack = required(env, STACK_ENV);
        return DomainLifecycle.of(store, new Zones(route53(credentials)), new Certificates(acm, stack),
                new CustomDomains(api, required(env, API_ENV)), d -> PolicyFetch.Target.https(d.policyHost()), null,
                mailboxes(env.get(MAILBOXES_ENV)), ttl(env.get(TTL_ENV)), Emf.toStdout(), Clock.systemUTC());
    }

    /** The domains table of the lifecycle function's environment. */
    static DomainStore store(Map<String, String> env) {
        return new DomainStore(Dynamo.fromEnvironment(env), env.getOrDefault(DomainStore.TABLE_ENV, DomainStore.DEFAULT_TABLE));
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
