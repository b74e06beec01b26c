package dev.mtasts.cli;

import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.StateStore;
import java.net.URI;
import picocli.CommandLine.Option;

/**
 * Where the domains table is, with the aws CLI's option names. The stack's state table is beside it, named as
 * template.yaml names it ({@code <stack>-state} beside {@code <stack>-domains}).
 */
final class TableOptions {
    @Option(names = "--endpoint-url", paramLabel = "URL",
            description = "DynamoDB endpoint, e.g. http://127.0.0.1:8000 for the local stack (default: AWS).")
    URI endpoint;

    @Option(names = "--region", paramLabel = "REGION",
            description = "AWS region (default: from the AWS environment; not needed for a local endpoint).")
    String region;

    @Option(names = "--table", paramLabel = "NAME", defaultValue = DomainStore.DEFAULT_TABLE,
            description = "Domains table (default: ${DEFAULT-VALUE}, as created by template.yaml).")
    String table;

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    /** The options as given, to append to a command the user is told to run next. */
    String echo() {
        return (endpoint == null ? "" : " --endpoint-url " + endpoint) + (region == null ? "" : " --region " + region)
                + (DomainStore.DEFAULT_TABLE.equals(table) ? "" : " --table " + table);
    }

    DomainStore open() {
        return new DomainStore(client(), table).withState(StateStore.beside(table));
    }

    /** A client for the given endpoint and region; a usage error (exit 2) when either is unusable. */
    software.amazon.awssdk.services.dynamodb.DynamoDbClient client() {
        try {
            return Dynamo.create(endpoint, region);
        } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
            throw new picocli.CommandLine.ParameterException(mixee.commandLine(),
                    "no AWS region: pass --region or set AWS_REGION (for the local stack: --endpoint-url http://127.0.0.1:8000)");
        }
    }
}
