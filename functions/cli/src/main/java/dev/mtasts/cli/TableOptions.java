package dev.mtasts.cli;

import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import java.net.URI;
import picocli.CommandLine.Option;

/** Where the domains table is, with the aws CLI's option names. */
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

    DomainStore open() {
        return new DomainStore(Dynamo.create(endpoint, region), table);
    }
}
