package dev.mtasts.cli;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.lifecycle.DomainLifecycle;
import dev.mtasts.local.AwsClients;
import dev.mtasts.lifecycle.LifecycleSettings;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Emf;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {"Run the domain lifecycle from here, as the stack's lifecycle function does: zone, certificate, "
                + "custom domain, records, live check, _smtp._tls, _mta-sts (and removals). Against AWS, or an "
                + "emulator given with --aws-endpoint-url.",
            "A certificate ACM failed to issue is replaced. Exit 0 when every domain is ready (or removed), 1 when one "
                    + "is blocked (the reason is printed), 2 when one is still under way at the end of --wait, or on errors."})
final class ProvisionCommand implements Callable<Integer> {
    @Option(names = "--domain", paramLabel = "DOMAIN", split = ",",
            description = "Only these domains (repeat or separate with commas; default: every row).")
    List<String> domains = new ArrayList<>();

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "Keep going until every domain is ready or blocked, for at most this long (default: one pass).")
    long waitSeconds;

    @Option(names = "--live-check-url", paramLabel = "URL",
            description = "Fetch each policy from this http:// listener with the policy host as Host, e.g. the local "
                    + "stack's http://127.0.0.1:8080 (default: https://mta-sts.<domain>, as senders do).")
    URI liveCheck;

    @Option(names = "--mailbox", paramLabel = "ADDRESS", split = ",",
            description = "Extra report addresses for _smtp._tls, after the stack's HTTPS endpoint (as the stack's "
                    + "ReportMailboxes).")
    List<String> mailboxes = new ArrayList<>();

    @Option(names = "--delegation-zone", paramLabel = "ZONE",
            description = "The public hosted zone the records of domains added with --delegated live under (as the "
                    + "stack's DelegationZone); their CNAMEs and MX records are looked up in public DNS.")
    String delegationZone;

    @Mixin
    TableOptions table;

    @Mixin
    AwsOptions aws;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (liveCheck != null && (aws.endpoint == null || !dev.mtasts.store.Dynamo.onThisMachine(aws.endpoint))) {
            // a local listener proves nothing about what senders fetch from AWS: the id would be published unchecked
            err.println("mta-sts: --live-check-url is for an emulator given with --aws-endpoint-url (a local one); "
                    + "against AWS the policy is fetched from https://mta-sts.<domain> as senders do");
            return Main.ERROR;
        }
        DomainStore store = table.open();
        AwsClients clients = aws.clients(table.region);
        Function<DomainName, PolicyFetch.Target> host;
        try {
            host = policyHost(liveCheck);
        } catch (IllegalArgumentException e) {
            err.println("mta-sts: " + e.getMessage());
            return Main.ERROR;
        }
        dev.mtasts.lifecycle.CustomDomains customDomains;
        try {
            customDomains = aws.customDomains(clients, () -> new IllegalArgumentException("no HTTP API named " + aws.stack
                    + " in this account and region: deploy the stack, or give --stack or --api-id"));
        } catch (IllegalArgumentException e) {
            err.println("mta-sts: " + e.getMessage());
            return Main.ERROR;
        }
        DomainLifecycle lifecycle = DomainLifecycle.of(store, clients.zones(), aws.certificates(clients), customDomains,
                host, null, mailboxes, LifecycleSettings.DEFAULT_TTL, new Emf(line -> { }, Clock.systemUTC()),
                Clock.systemUTC())
                // an MX move's alerts, which the stack sends to its topic, are printed here; MX records left to the user
                .withMxMoves((subject, body) -> out.println("alert: " + subject + System.lineSeparator()
                        + body.strip().indent(2).stripTrailing()), false)
                .withDelegation(delegationZone, dev.mtasts.sender.Dns.system(java.time.Duration.ofSeconds(5)));
        List<DomainName> names = new ArrayList<>();
        try {
            if (domains.isEmpty()) {
                for (dev.mtasts.store.DomainView view : store.views()) { // rows, and rows deleted whose removal goes on
                    String key = view.key();
                    try {
                        DomainName d = DomainName.parse(key);
                        if (d.value().equals(key)) {
                            names.add(d);
                            continue;
                        }
                    } catch (InvalidException e) {
                        // said below
                    }
                    err.println("warning: row \"" + key + "\" is not a normalised domain name; skipped (see mta-sts domain get)");
                }
            } else {
                for (String d : domains) {
                    DomainName name = Idna.domain(d);
                    if (store.view(name.value()).isEmpty()) {
                        err.println("mta-sts: no row for " + name.value() + " (a typo? mta-sts domain list shows the rows)");
                        return Main.INVALID;
                    }
                    names.add(name);
                }
            }
        } catch (InvalidException e) {
            err.println("mta-sts: " + e.getMessage());
            return Main.INVALID;
        }
        Instant deadline = Instant.now().plusSeconds(waitSeconds);
        Map<DomainName, DomainLifecycle.Report> last = new LinkedHashMap<>();
        List<DomainName> open = new ArrayList<>(names);
        do {
            for (DomainName d : List.copyOf(open)) {
                DomainLifecycle.Report r = lifecycle.advance(d, deadline.isAfter(Instant.now()) ? deadline
                        : Instant.now().plusSeconds(60));
                DomainLifecycle.Report before = last.put(d, r);
                if (before == null || !before.state().equals(r.state()) || !before.detail().equals(r.detail())) {
                    out.println(r);
                    out.flush();
                }
                if (r.ready() || r.state().equals("blocked") || r.state().equals("removed")) {
                    open.remove(d);
                }
            }
            if (!open.isEmpty() && Instant.now().isBefore(deadline)) {
                sleep(Duration.ofSeconds(2));
            }
        } while (!open.isEmpty() && Instant.now().isBefore(deadline));
        long blocked = last.values().stream().filter(r -> r.state().equals("blocked")).count();
        long ready = last.values().stream().filter(DomainLifecycle.Report::ready).count();
        long removed = last.values().stream().filter(r -> r.state().equals("removed")).count();
        long under = last.size() - ready - blocked - removed;
        out.println(last.size() + (last.size() == 1 ? " domain: " : " domains: ") + ready + " ready"
                + (blocked > 0 ? ", " + blocked + " blocked" : "") + (removed > 0 ? ", " + removed + " removed" : "")
                + (under > 0 ? ", " + under + " under way" : ""));
        return blocked > 0 ? Main.INVALID : under > 0 ? Main.ERROR : Main.OK;
    }

    static Function<DomainName, PolicyFetch.Target> policyHost(URI url) {
        return LifecycleSettings.policyHost(url);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
