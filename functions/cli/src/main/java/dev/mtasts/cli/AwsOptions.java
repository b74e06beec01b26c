package dev.mtasts.cli;

import dev.mtasts.lifecycle.Certificates;
import dev.mtasts.lifecycle.CustomDomains;
import dev.mtasts.lifecycle.LifecycleSettings;
import dev.mtasts.lifecycle.Zones;
import dev.mtasts.store.Dynamo;
import java.net.URI;
import java.util.function.Supplier;
import picocli.CommandLine.Option;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.apigatewayv2.ApiGatewayV2Client;
import software.amazon.awssdk.services.route53.Route53Client;

/** The AWS services the domain lifecycle uses besides DynamoDB (Route53, ACM, API Gateway), and the stack's name. */
final class AwsOptions {
    @Option(names = "--aws-endpoint-url", paramLabel = "URL",
            description = "Endpoint of Route53, ACM and API Gateway, e.g. a local moto_server (default: AWS, or the "
                    + "AWS_ENDPOINT_URL setting).")
    URI endpoint;

    @Option(names = "--stack", paramLabel = "NAME", defaultValue = "mta-sts",
            description = "The stack's name: its HTTP API has that name and its certificates carry it (default: ${DEFAULT-VALUE}).")
    String stack;

    @Option(names = "--api-id", paramLabel = "ID", description = "The stack's HTTP API (default: the API named after --stack).")
    String apiId;

    /** Route53, ACM and API Gateway clients for one endpoint (or AWS) and region. */
    record Clients(Route53Client route53, AcmClient acm, ApiGatewayV2Client api) {
        Zones zones() {
            return new Zones(route53);
        }
    }

    static Clients clients(URI endpoint, String region) {
        URI effective = endpoint != null ? endpoint : Dynamo.configuredEndpoint("ROUTE53", "Route53");
        var credentials = Dynamo.credentialsFor(effective);
        Region r = region != null ? Region.of(region) : effective != null && Dynamo.isLoopback(effective)
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
        return new Clients(route53, acm.build(), api.build());
    }

    Clients clients(String region) {
        return clients(endpoint, region);
    }

    Certificates certificates(Clients c) {
        return new Certificates(c.acm(), stack);
    }

    /** The stack's HTTP API: the one given, or the one named after the stack. */
    CustomDomains customDomains(Clients c, Supplier<RuntimeException> missing) {
        String id = apiId != null ? apiId : findApi(c.api(), stack);
        if (id == null) {
            throw missing.get();
        }
        return new CustomDomains(c.api(), id, stack);
    }

    static String findApi(ApiGatewayV2Client api, String name) {
        return CustomDomains.findApi(api, name);
    }
}
