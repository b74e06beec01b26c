package dev.mtasts.local;

import dev.mtasts.lifecycle.LifecycleSettings;
import dev.mtasts.lifecycle.Zones;
import dev.mtasts.store.Dynamo;
import java.net.URI;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.apigatewayv2.ApiGatewayV2Client;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * The AWS services the domain lifecycle uses besides DynamoDB (Route53, ACM, API Gateway), at one endpoint (an
 * emulator on this machine) or in AWS, for the local stack and for the commands that run the lifecycle from here.
 */
public record AwsClients(Route53Client route53, AcmClient acm, ApiGatewayV2Client api) {

    public Zones zones() {
        return new Zones(route53);
    }

    /** Clients of {@code endpoint} (null: AWS, or the AWS_ENDPOINT_URL setting) in {@code region} (null: the default). */
    public static AwsClients of(URI endpoint, String region) {
        URI effective = endpoint != null ? endpoint : Dynamo.configuredEndpoint("ROUTE53", "Route53");
        var credentials = Dynamo.credentialsFor(effective);
        Region r = region != null ? Region.of(region) : effective != null && Dynamo.onThisMachine(effective)
                ? Dynamo.LOCAL_REGION : new DefaultAwsRegionProviderChain().getRegion();
        Route53Client route53 = endpoint == null ? LifecycleSettings.route53(credentials)
                : Route53Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.AWS_GLOBAL)
                        .credentialsProvider(credentials).endpointOverride(endpoint).build();
        var acm = AcmClient.builder().httpClient(UrlConnectionHttpClient.create()).region(r).credentialsProvider(credentials);
        var api = ApiGatewayV2Client.builder().httpClient(UrlConnectionHttpClient.create()).region(r).credentialsProvider(credentials);
        if (endpoint != null) {
            acm.endpointOverride(endpoint);
            api.endpointOverride(endpoint);
        }
        return new AwsClients(route53, acm.build(), api.build());
    }
}
