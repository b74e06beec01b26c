package dev.mtasts.cli;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.sender.DomainCheck;
import dev.mtasts.sender.Sender;
import dev.mtasts.sender.SmtpProbe;
import dev.mtasts.sender.Trust;
import dev.mtasts.resolver.SenderOptions;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"See a domain as sending MTAs see it, any domain, this stack's or not: _mta-sts and _smtp._tls "
                + "(strict grammar, CNAME delegation followed), MX, the policy host, the policy fetched over HTTPS with "
                + "the rules senders apply (certificate for the name, no redirect, 200, text/plain, 64 KiB, the time "
                + "it took against the ~4 s strict senders allow), whether every MX host matches the policy, and with "
                + "--smtp each MX host's STARTTLS on port 25.",
            "Exit 0 when nothing is wrong (warnings allowed), 1 when a check found an error, 2 when a check could not "
                    + "be made (DNS failing, port 25 blocked) and none found an error."})
final class CheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DOMAIN", arity = "1..*", description = "Mail domains, e.g. example.com.")
    List<String> domains;

    @Option(names = "--smtp", description = "Also check each MX host's STARTTLS and certificate on port 25 "
            + "(often blocked from clouds and home networks).")
    boolean smtp;

    @Option(names = "--json", description = "Print one JSON object per domain, in an array.")
    boolean json;

    @Mixin
    SenderOptions senderOptions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Time allowed for each DNS question, the policy fetch and each SMTP dialogue (default: ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--smtp-port", paramLabel = "PORT", defaultValue = "25",
            description = "Port of the MX hosts (default: ${DEFAULT-VALUE}, what senders use; another for test set-ups).")
    int smtpPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<DomainName> names = new ArrayList<>();
        for (String d : domains) {
            try {
                names.add(Idna.domain(d));
            } catch (InvalidException e) {
                err.println("mta-sts: " + e.getMessage());
                return Main.INVALID;
            }
        }
        if (timeout < 1) {
            err.println("mta-sts: --timeout must be at least 1 second (got " + timeout + ")");
            return Main.ERROR;
        }
        Duration t = Duration.ofSeconds(timeout);
        Trust trust;
        Sender sender;
        try {
            trust = senderOptions.trust();
            sender = senderOptions.sender(trust, senderOptions.dns(t), t);
        } catch (SenderOptions.Unusable e) {
            err.println("mta-sts: " + e.getMessage());
            return Main.ERROR;
        }
        DomainCheck check = new DomainCheck(sender, smtp ? new SmtpProbe(trust, Duration.ofSeconds(Math.min(timeout, 5)),
                smtpPort) : null, Clock.systemUTC());
        List<DomainCheck.Report> reports = new ArrayList<>();
        for (DomainName d : names) {
            DomainCheck.Report r = check.check(d, false);
            reports.add(r);
            if (!json) {
                print(out, r);
                out.flush();
            }
        }
        if (json) {
            out.println(Json.write(reports.stream().map(CheckCommand::toJson).toList()));
            out.flush();
        }
        boolean error = reports.stream().anyMatch(r -> r.worst() == DomainCheck.Level.ERROR);
        boolean unchecked = reports.stream().flatMap(r -> r.findings().stream())
                .anyMatch(f -> f.level() == DomainCheck.Level.UNCHECKED);
        return error ? Main.INVALID : unchecked ? Main.ERROR : Main.OK;
    }

    /** A few lines per check, the failing ones first: {@code error    mx coverage   MX … matches no pattern …}. */
    static void print(PrintWriter out, DomainCheck.Report r) {
        long errors = r.findings().stream().filter(f -> f.level() == DomainCheck.Level.ERROR).count();
        long warnings = r.findings().stream().filter(f -> f.level() == DomainCheck.Level.WARNING).count();
        long unchecked = r.findings().stream().filter(f -> f.level() == DomainCheck.Level.UNCHECKED).count();
        List<String> counts = new ArrayList<>();
        if (errors > 0) {
            counts.add(errors + (errors == 1 ? " error" : " errors"));
        }
        if (warnings > 0) {
            counts.add(warnings + (warnings == 1 ? " warning" : " warnings"));
        }
        if (unchecked > 0) {
            counts.add(unchecked + " not checked");
        }
        out.println(r.domain() + ": " + (counts.isEmpty() ? "all checks ok" : String.join(", ", counts)));
        int width = r.findings().stream().mapToInt(f -> f.check().length()).max().orElse(10);
        for (DomainCheck.Finding f : r.findings()) {
            out.printf("  %-15s %-" + width + "s  %s%n", f.level().text(), f.check(), f.message());
        }
    }

    static Map<String, Object> toJson(DomainCheck.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domain", r.domain().value());
        m.put("status", r.worst().text());
        m.put("findings", r.findings().stream().map(f -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("check", f.check());
            x.put("level", f.level().text());
            x.put("message", f.message());
            return x;
        }).toList());
        m.put("id", r.announcedId());
        m.put("policy", r.policy() == null ? null : Map.of("mode", r.policy().mode().text(),
                "mx", r.policy().mx().stream().map(Object::toString).toList(), "max_age", r.policy().maxAge(),
                "id", r.policy().id()));
        m.put("timings_ms", r.timings());
        return m;
    }
}
