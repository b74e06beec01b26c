package dev.mtasts.cli;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Problem;
import dev.mtasts.core.StsRecord;
import dev.mtasts.core.TlsRptRecord;
import dev.mtasts.core.TxtRecord;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "records", mixinStandardHelpOptions = true,
        description = {"Print the DNS TXT records to publish for a domain, as zone-file lines (name, type, quoted value).",
            "Publish them at your DNS provider.",
            "The policy id is derived from the domain's row, so the row must exist and be valid."})
final class RecordsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DOMAIN",
            description = "Mail domain, e.g. example.com; one in Unicode (müller.example) is converted to A-labels.")
    String domain;

    @Option(names = "--rua", split = ",", paramLabel = "URI",
            description = {"Where senders deliver TLS reports: an https: or mailto: URI (RFC 3986, with ',', '!' and "
                    + "';' %%-encoded); repeat it or separate with commas, first one preferred "
                    + "(default: this stack's endpoint https://mta-sts.<domain>/v1/tlsrpt)."})
    List<String> rua;

    @Mixin
    TableOptions table;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DomainName name;
        TlsRptRecord tlsrpt;
        try {
            name = Idna.domain(domain);
            tlsrpt = TlsRptRecord.of(rua == null ? List.of(TlsRptRecord.httpsEndpoint(name)) : rua);
        } catch (InvalidException e) {
            e.problems().forEach(p -> err.println("mta-sts: " + p.message()));
            return Main.INVALID;
        }
        // the row, with the stack's state of it: what is announced and served
        Optional<Map<String, Object>> item = table.open().view(name.value()).filter(v -> !v.rowDeleted())
                .map(dev.mtasts.store.DomainView::merged);
        if (item.isEmpty()) {
            err.println("mta-sts: no row for " + name + " in table " + table.table
                    + "; add it with: mta-sts domain add " + name);
            return Main.INVALID;
        }
        DomainRow row;
        try {
            row = DomainRow.parse(item.get());
        } catch (InvalidException e) {
            err.println("mta-sts: the row for " + name + " is invalid, so its policy must not be announced:");
            for (Problem p : e.problems()) {
                err.println("  " + p.message());
            }
            return Main.INVALID;
        }
        if (DomainRow.delegated(item.get())) {
            return delegated(name, dev.mtasts.core.Lifecycle.of(item.get()), rua != null, out, err);
        }
        // RFC 8461 §8.1: the id printed is the one of the body the host serves now, never one ahead of it
        dev.mtasts.core.Lifecycle lc = dev.mtasts.core.Lifecycle.of(item.get());
        dev.mtasts.core.Policy served = row.policy();
        String body = dev.mtasts.core.Lifecycle.bodyToServe(row.policy(), lc);
        if (body == null) {
            err.println("mta-sts: the row's enforce policy (id " + row.policy().id() + ") is not served before it has "
                    + "passed the stack's MX check, and no other policy is announced: there is no record to publish yet");
            return Main.INVALID;
        }
        if (!body.equals(row.policy().render())) {
            try {
                served = dev.mtasts.core.Policy.parse(body);
            } catch (InvalidException e) {
                throw new IllegalStateException("the announced policy of " + name + " no longer parses", e);
            }
            boolean refused = lc.refused() != null && lc.refused().id().equals(row.policy().id());
            err.println("warning: the row's enforce policy (id " + row.policy().id() + ") is not served "
                    + (refused ? "because the stack refused it: " + lc.refused().reason()
                            : "until it has passed the MX check")
                    + "; these records are those of the policy served now (id " + served.id() + ")");
        }
        String sts = name.stsRecordName() + ".";
        String rpt = name.tlsRptRecordName() + ".";
        int width = Math.max(sts.length(), rpt.length());
        out.println("; " + name + ": " + served.mode() + " policy served at https://" + name.policyHost()
                + "/.well-known/mta-sts.txt");
        out.printf("%-" + width + "s  IN TXT %s%n", sts, TxtRecord.quote(StsRecord.of(served).render()));
        out.printf("%-" + width + "s  IN TXT %s%n", rpt, TxtRecord.quote(tlsrpt.render()));
        out.flush();
        return Main.OK;
    }

    /**
     * RFC 8461 §8.2: a domain whose DNS is elsewhere publishes CNAMEs to the stack's delegation zone, once; the TXT
     * records behind them are the stack's, and follow the policy by themselves.
     */
    private static Integer delegated(DomainName name, dev.mtasts.core.Lifecycle lc, boolean ruaGiven, PrintWriter out,
            PrintWriter err) {
        if (ruaGiven) {
            err.println("mta-sts: " + name + "'s DNS is elsewhere (dns: delegated): its _smtp._tls record is the "
                    + "stack's, behind a CNAME, so --rua does not apply (the template's ReportMailboxes adds addresses)");
            return Main.INVALID;
        }
        if (lc == null || !lc.delegated()) {
            err.println("mta-sts: " + name + "'s DNS is elsewhere (dns: delegated), and the stack has not set it up "
                    + "under its delegation zone yet: its CNAMEs are known once it has (mta-sts domain get " + name + ")");
            return Main.INVALID;
        }
        dev.mtasts.core.Delegation delegation = new dev.mtasts.core.Delegation(name, lc.delegation());
        out.println("; " + name + ": its DNS is elsewhere; publish these CNAMEs once at its DNS host. Behind them the "
                + "stack keeps _mta-sts (its id follows the policy), _smtp._tls and the policy host under "
                + lc.delegation() + ".");
        dev.mtasts.core.Delegation.zoneLines(delegation.cnames(lc.validation())).forEach(out::println);
        if (lc.validation() == null) {
            out.println("; the certificate's validation CNAME follows once ACM names it: run this again in a minute");
        }
        out.flush();
        return Main.OK;
    }
}
