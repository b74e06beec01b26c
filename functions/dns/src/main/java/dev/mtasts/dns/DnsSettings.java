package dev.mtasts.dns;

import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.Route53ClientBuilder;
import software.amazon.awssdk.services.route53.model.PriorRequestNotCompleteException;
import software.amazon.awssdk.services.route53.model.ThrottlingException;

/** The DNS functions' clients, built once per container from the environment template.yaml sets. */
public final class DnsSettings {
    public static final String ROUTE53_ENDPOINT_ENV = "ROUTE53_ENDPOINT";
    static final String TTL_ENV = "STS_TXT_TTL";

    private DnsSettings() {
    }

    static DnsSync sync(Map<String, String> env) {
        DomainStore store = new DomainStore(Dynamo.fromEnvironment(env),
                env.getOrDefault(DomainStore.TABLE_ENV, DomainStore.DEFAULT_TABLE));
        String ttl = env.get(TTL_ENV);
        return new DnsSync(store, new Zones(route53(env, Dynamo.lambdaCredentials(env))), Emf.toStdout(),
                Clock.systemUTC(), ttl == null || ttl.isBlank() ? 300 : Long.parseLong(ttl));
    }

    /**
     * Route53 is global. Its change API answers {@code PriorRequestNotComplete} and throttles at a few requests a
     * second per account: both are retried with backoff, more patiently than the SDK's default.
     */
    public static Route53Client route53(Map<String, String> env,
            software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials) {
        Route53ClientBuilder b = Route53Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(8)
                        .retryOnException(e -> e instanceof PriorRequestNotCompleteException
                                || e instanceof ThrottlingException)));
        String endpoint = env.get(ROUTE53_ENDPOINT_ENV);
        if (endpoint != null && !endpoint.isBlank()) {
            b.endpointOverride(URI.create(endpoint));
        }
        return b.build();
    }
}
