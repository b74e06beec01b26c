package dev.mtasts.cli;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.dns.DnsSettings;
import dev.mtasts.dns.DnsSync;
import dev.mtasts.dns.Zones;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "Keep the _mta-sts TXT records in Route53 in step with the domain rows.",
        subcommands = DnsCommand.Sync.class)
final class DnsCommand {

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = {"Publish each domain's _mta-sts record as the DNS function does: only when its value "
                    + "changes, one change request per zone, never for an invalid row or an enforce policy that "
                    + "misses a live MX host. Exit 1 if any domain was refused or has no zone."})
    static final class Sync implements Callable<Integer> {
        @Option(names = "--domain", paramLabel = "DOMAIN", split = ",",
                description = "Only these domains (repeat or separate with commas; default: every row, and any "
                        + "_mta-sts record in their zones whose row is gone).")
        List<String> domains = new ArrayList<>();

        @Option(names = "--hosted-zone-id", paramLabel = "ZONE", description = "Use this hosted zone instead of looking it up.")
        String zoneId;

        @Option(names = "--dry-run", description = "Show what would change; change nothing.")
        boolean dryRun;

        @Option(names = "--route53-endpoint-url", paramLabel = "URL",
                description = "Route53 endpoint, e.g. a local moto_server (default: AWS).")
        URI route53Endpoint;

        @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "300",
                description = "TTL of records written (default: ${DEFAULT-VALUE}).")
        long ttl;

        @Mixin
        TableOptions table;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DomainStore store = table.open();
            List<DomainName> names = new ArrayList<>();
            try {
                if (domains.isEmpty()) {
                    for (Map<String, Object> item : store.list()) {
                        names.add(DomainName.parse(String.valueOf(item.get(DomainRow.DOMAIN))));
                    }
                } else {
                    for (String d : domains) {
                        names.add(Idna.domain(d));
                    }
                }
            } catch (InvalidException e) {
                spec.commandLine().getErr().println("mta-sts: " + e.getMessage());
                return Main.INVALID;
            }
            var route53 = DnsSettings.route53(route53Endpoint == null ? Map.of()
                    : Map.of(DnsSettings.ROUTE53_ENDPOINT_ENV, route53Endpoint.toString()),
                    Dynamo.credentialsFor(route53Endpoint));
            DnsSync sync = new DnsSync(store, new Zones(route53), new Emf(line -> { }, Clock.systemUTC()),
                    Clock.systemUTC(), ttl);
            if (domains.isEmpty() && zoneId == null) {
                names.addAll(sync.orphans(names)); // records left behind by deleted rows
            }
            List<DnsSync.Result> results = sync.sync(names, zoneId, dryRun);
            Map<DnsSync.Action, Integer> counts = new EnumMap<>(DnsSync.Action.class);
            for (DnsSync.Result r : results) {
                out.println((dryRun && (r.action() == DnsSync.Action.PUBLISHED || r.action() == DnsSync.Action.REMOVED)
                        ? "would be " : "") + r);
                counts.merge(r.action(), 1, Integer::sum);
            }
            out.println(counts.isEmpty() ? "no domains" : counts.entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase().replace('_', ' '))
                    .reduce((a, b) -> a + ", " + b).orElse("") + (dryRun ? " (dry run: nothing changed)" : ""));
            out.flush();
            boolean problems = counts.containsKey(DnsSync.Action.REFUSED) || counts.containsKey(DnsSync.Action.NO_ZONE);
            return problems ? Main.INVALID : Main.OK;
        }
    }
}
