package dev.mtasts.store;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/** Builds DynamoDB clients: one recipe for Lambda, one for the CLI and the local stack. */
public final class Dynamo {
    /** Region used against a local endpoint when none is given: DynamoDB Local ignores it (shared database). */
    public static final Region LOCAL_REGION = Region.US_EAST_1;

    private Dynamo() {
    }

    /**
     * The client a function builds once per container: region and credentials straight from the Lambda environment
     * (no provider chain to walk on a cold start), url-connection HTTP client, and time limits that leave a strict
     * sender (about 4 s for DNS and HTTPS together) time to spare: a DynamoDB that does not answer is a 503 within
     * {@link #CALL_BUDGET}, and a slow attempt is cut short and tried again rather than waited on. The endpoint follows the SDK's standard settings
     * ({@code AWS_ENDPOINT_URL_DYNAMODB}, {@code AWS_ENDPOINT_URL}), which serve's {@code sam-local-env.json} sets for sam local.
     */
    public static DynamoDbClient fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** The whole of a call, retries included. */
    public static final Duration CALL_BUDGET = Duration.ofMillis(900);
    /** One attempt: DynamoDB answers a GetItem in a few milliseconds; an attempt this slow is retried. */
    static final Duration ATTEMPT = Duration.ofMillis(400);

    public static DynamoDbClient fromEnvironment(Map<String, String> env) {
        return DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofMillis(300))
                        .socketTimeout(ATTEMPT)
                        .build())
                .region(region(env))
                .credentialsProvider(lambdaCredentials(env))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(ATTEMPT)
                        .apiCallTimeout(CALL_BUDGET)
                        .build())
                .build();
    }

    /** The function's region ({@code AWS_REGION}), or the local default under emulators. */
    public static Region region(Map<String, String> env) {
        String region = env.get("AWS_REGION");
        return region == null || region.isBlank() ? LOCAL_REGION : Region.of(region);
    }

    /**
     * The function's credentials. Lambda passes access keys in the environment, except for SnapStart functions,
     * which get them from a container endpoint ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI}) so that a restored
     * snapshot never runs on stale keys.
     */
    public static AwsCredentialsProvider lambdaCredentials(Map<String, String> env) {
        String key = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (key != null && secret != null) {
            String token = env.get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(token == null || token.isBlank()
                    ? AwsBasicCredentials.create(key, secret)
                    : AwsSessionCredentials.create(key, secret, token));
        }
        if (env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null) {
            return ContainerCredentialsProvider.builder().build();
        }
        return EnvironmentVariableCredentialsProvider.create();
    }

    /**
     * A client for the CLI, like the aws CLI's {@code --endpoint-url} and {@code --region}. Against a loopback
     * endpoint (the local stack) no credentials or region are needed.
     */
    public static DynamoDbClient create(URI endpoint, String region) {
        DynamoDbClientBuilder b = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create());
        URI effective = endpoint != null ? endpoint : configuredEndpoint("DYNAMODB", "DynamoDb");
        boolean local = effective != null && onThisMachine(effective);
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        if (region != null) {
            b.region(Region.of(region));
        } else if (local) {
            b.region(LOCAL_REGION);
        } else {
            b.region(new DefaultAwsRegionProviderChain().getRegion());
        }
        b.credentialsProvider(credentialsFor(effective));
        if (local) {
            // a local emulator that is not running will not start in the next seconds: fail fast
            b.overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(2)));
        }
        return b.build();
    }

    /**
     * The endpoint the SDK's standard settings give a service, or null for AWS itself: the system property
     * {@code aws.endpointUrl<Service>} or variable {@code AWS_ENDPOINT_URL_<SERVICE>}, else {@code aws.endpointUrl} or
     * {@code AWS_ENDPOINT_URL}, unless {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS} is true. The SDK applies them
     * itself; the CLI reads them only to know whether it talks to an emulator on this machine (which needs no
     * credentials).
     */
    public static URI configuredEndpoint(String serviceEnv, String serviceProperty) {
        if ("true".equalsIgnoreCase(setting("aws.ignoreConfiguredEndpointUrls", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
            return null;
        }
        String v = setting("aws.endpointUrl" + serviceProperty, "AWS_ENDPOINT_URL_" + serviceEnv);
        if (v == null) {
            v = setting("aws.endpointUrl", "AWS_ENDPOINT_URL");
        }
        try {
            return v == null ? null : URI.create(v);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** For the CLI: fake credentials for an emulator on this machine, else the usual AWS chain. */
    public static AwsCredentialsProvider credentialsFor(URI endpoint) {
        return endpoint != null && onThisMachine(endpoint) ? localCredentials() : DefaultCredentialsProvider.builder().build();
    }

    /** Fixed fake credentials for DynamoDB Local and other emulators. */
    public static AwsCredentialsProvider localCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    /**
     * Whether an endpoint is on this machine (an emulator, which takes any credentials): a loopback address, or an
     * address of one of its interfaces (the local stack bound to the Docker bridge's address for sam local).
     */
    public static boolean onThisMachine(URI endpoint) {
        String host = endpoint.getHost();
        if (host == null) {
            return false;
        }
        if (host.equals("localhost")) {
            return true;
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isAnyLocalAddress()
                    || java.net.NetworkInterface.getByInetAddress(address) != null;
        } catch (UnknownHostException | java.net.SocketException e) {
            return false;
        }
    }
}
