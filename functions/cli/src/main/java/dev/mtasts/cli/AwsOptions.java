package dev.mtasts.cli;

import dev.mtasts.lifecycle.Certificates;
import dev.mtasts.lifecycle.CustomDomains;
import dev.mtasts.local.AwsClients;
import java.net.URI;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

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

    /** Route53, ACM and API Gateway clients of the endpoint given (or AWS) in {@code region}. */
    AwsClients clients(String region) {
        return AwsClients.of(endpoint, region);
    }

    Certificates certificates(AwsClients c) {
        return new Certificates(c.acm(), stack);
    }

    /** The stack's HTTP API: the one given, or the one named after the stack. */
    CustomDomains customDomains(AwsClients c, Supplier<RuntimeException> missing) {
        String id = apiId != null ? apiId : CustomDomains.findApi(c.api(), stack);
        if (id == null) {
            throw missing.get();
        }
        return new CustomDomains(c.api(), id, stack);
    }
}
