package dev.mtasts.cli;

import dev.mtasts.core.Delegation;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Mode;
import dev.mtasts.core.MxMove;
import dev.mtasts.core.Policy;
import dev.mtasts.core.PolicyUpdates;
import dev.mtasts.core.Problem;
import dev.mtasts.lifecycle.LifecycleSettings;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.DomainView;
import dev.mtasts.store.StateStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

@Command(name = "domain", mixinStandardHelpOptions = true,
        description = {"Add, change, show, list, retire and remove the domains this stack serves, and move their MX hosts.",
            "A row is the whole onboarding: once a domain is added, the stack finds its zone, gets a certificate, "
                    + "sets up mta-sts.<domain>, checks it live and publishes _smtp._tls and _mta-sts."},
        subcommands = {DomainCommand.Add.class, DomainCommand.Put.class, DomainCommand.Get.class,
                DomainCommand.ListRows.class, DomainCommand.MoveMx.class, DomainCommand.Retire.class,
                DomainCommand.Remove.class})
final class DomainCommand {

    /** How long {@code domain add --delegated} waits for the stack to know the CNAMEs (ACM names the fourth). */
    static final java.time.Duration DELEGATION_KNOWN = java.time.Duration.ofSeconds(10);

    /** How long {@code domain add} waits for the stack to pick a new row up (the local stack: a quarter second). */
    static final java.time.Duration PICK_UP = java.time.Duration.ofSeconds(2);

    /** Shared by every subcommand: the table and where output goes. */
    abstract static class RowCommand implements Callable<Integer> {
        @Mixin
        TableOptions table;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /**
         * A domain as stored: the key it is stored under, the table it is in, its row and the stack's state of it
         * (the row may be deleted while the stack still takes down what it made); or, with no view, when the stack
         * finished removing it.
         */
        record Existing(String key, DomainName name, DomainStore store, DomainView view, Instant removedAt) {
            Map<String, Object> item() {
                return view.merged();
            }
        }

        /**
         * The row for the domain argument, or null after saying why there is none. A row stored under a key that is
         * not a normalised name (written by hand, e.g. {@code Bad.Example}) is found by that exact key, so that what
         * {@code domain list} shows can be shown and removed too. A domain the stack has removed is found as such.
         */
        Existing existing(String arg) {
            DomainStore store = table.open();
            DomainName name = null;
            try {
                name = Idna.domain(arg);
                Optional<DomainView> view = store.view(name.value());
                if (view.isPresent()) {
                    return new Existing(name.value(), name, store, view.get(), null);
                }
            } catch (InvalidException e) {
                // perhaps a key written by hand: look for it as it is
            }
            Optional<DomainView> raw = arg.isBlank() ? Optional.empty() : store.view(arg.strip());
            if (raw.isPresent()) {
                return new Existing(arg.strip(), name, store, raw.get(), null);
            }
            Optional<Instant> removed = name == null ? Optional.empty() : store.state().removedAt(name.value());
            if (removed.isPresent()) {
                return new Existing(name.value(), name, store, null, removed.get());
            }
            err().println("mta-sts: no row for " + (name == null ? "\"" + arg + "\"" : name) + " in table " + table.table);
            return null;
        }

        /** The normalised domain, or null after printing why the argument is not one. */
        DomainName domain(String arg) {
            try {
                return Idna.domain(arg);
            } catch (InvalidException e) {
                err().println("mta-sts: " + e.getMessage());
                return null;
            }
        }
    }

    /** The policy options of {@code add} and {@code put} besides the mode. */
    static final class PolicyOptions {
        @Option(names = "--mx", split = ",", paramLabel = "PATTERN",
                description = "An MX host pattern (mail.example.com, *.example.net; in Unicode or A-labels, as the "
                        + "domain); repeat it or separate with commas. Required unless --mode none.")
        List<String> mx = new ArrayList<>();

        @Option(names = "--max-age", paramLabel = "SECONDS",
                description = "How long senders cache the policy, 0 to 31557600 (default: put keeps the row's; else 86400, one day).")
        String maxAge;

        /** The policy, or null after printing every problem, a line each. */
        Policy policy(String mode, DomainName name, long defaultMaxAge, PrintWriter err) {
            // each pattern is read as the domain argument is (Unicode, a trailing dot); one that cannot be is said so
            List<Problem> problems = new ArrayList<>();
            List<String> unreadable = new ArrayList<>();
            List<String> patterns = new ArrayList<>();
            for (int i = 0; i < mx.size(); i++) {
                try {
                    patterns.add(Idna.mxPattern(mx.get(i)));
                } catch (InvalidException e) {
                    String at = "mx[" + i + "]: ";
                    unreadable.add(at);
                    e.problems().forEach(p -> problems.add(Problem.whole(at + p.message())));
                    patterns.add(mx.get(i));
                }
            }
            Policy policy = null;
            try {
                policy = Policy.of(mode, patterns, maxAge == null ? Long.toString(defaultMaxAge) : maxAge);
            } catch (InvalidException e) {
                e.problems().stream().filter(p -> unreadable.stream().noneMatch(p.message()::startsWith))
                        .forEach(problems::add);
            }
            for (int i = 0; i < problems.size(); i++) {
                err.println("mta-sts: " + name + ": " + problems.get(i).message()
                        + (i == problems.size() - 1 ? "; nothing written" : ""));
            }
            return problems.isEmpty() ? policy : null;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a domain: the stack does the rest (zone, certificate, mta-sts.<domain>, live check, "
                    + "_smtp._tls, then _mta-sts). Without --mode the policy is seeded from the zone's MX hosts "
                    + "(testing, max_age 86400). Follow it with: mta-sts domain get DOMAIN.",
                "With --take-over on a domain that is blocked by records of another host (an earlier MTA-STS set-up), "
                        + "the stack replaces them."})
    static final class Add extends RowCommand {
        @Parameters(paramLabel = "DOMAIN", description = "Mail domain, e.g. example.com.")
        String domain;

        @Option(names = "--mode", paramLabel = "MODE",
                description = "testing, enforce or none (default: seeded from the zone's MX hosts as testing).")
        String mode;

        @Mixin
        PolicyOptions policy;

        @Option(names = "--take-over", description = "Replace records at mta-sts.<domain>, _mta-sts.<domain> and "
                + "_smtp._tls.<domain> that another host published.")
        boolean takeOver;

        @Option(names = "--delegated", description = "The domain's DNS is not in this account's Route53: the stack "
                + "keeps its records under the stack's delegation zone (DelegationZone), and you publish four CNAMEs "
                + "once at the domain's DNS host; this command and mta-sts records DOMAIN print them.")
        boolean delegated;

        @Override
        public Integer call() {
            DomainName name = domain(domain);
            if (name == null) {
                return Main.INVALID;
            }
            Policy p = null;
            if (mode != null || !policy.mx.isEmpty() || policy.maxAge != null) {
                p = policy.policy(mode, name, 86_400, err());
                if (p == null) {
                    return Main.INVALID;
                }
            }
            DomainStore store = table.open();
            Optional<Map<String, Object>> before = store.find(name);
            if (delegated && before.isPresent() && !DomainRow.delegated(before.get())) {
                err().println("mta-sts: " + name + " is there already, its records in a Route53 hosted zone of the "
                        + "account: to keep them behind CNAMEs instead, remove it (mta-sts domain remove " + name
                        + ") and add it again with --delegated; nothing written");
                return Main.INVALID;
            }
            boolean added = store.add(name, delegated ? Map.of(DomainRow.DNS, DomainRow.DELEGATED) : Map.of());
            if (p != null) {
                store.put(new DomainRow(name, p));
            }
            if (takeOver) {
                store.setWish(name, DomainRow.TAKE_OVER, true);
            }
            boolean unremove = store.find(name).orElse(Map.of()).get(DomainRow.REMOVE_REQUESTED) != null;
            if (unremove) {
                store.setWish(name, DomainRow.REMOVE_REQUESTED, null); // adding it again withdraws its removal
            }
            // what the stack makes of it is known within a second or so: say that, rather than "not picked up yet"
            Optional<RowView> view = added ? RowView.awaitPickUp(store, name, PICK_UP) : store.view(name.value()).map(RowView::of);
            if (delegated && view.isPresent() && !view.get().servedLocally()) {
                view = RowView.awaitDelegation(store, name, DELEGATION_KNOWN); // the certificate's record is the fourth
            }
            boolean unseeded = view.map(v -> DomainRow.unseeded(v.item())).orElse(p == null);
            boolean noSeeding = unseeded && view.map(RowView::servedLocally).orElse(false);
            out().println(name + ": " + (added ? "added" : "already there") + (p != null ? ", " + RowView.summary(p)
                    : noSeeding ? "; it has no policy, and without an AWS emulator nothing seeds one"
                    : added ? ", policy to be seeded from " + (delegated ? "its MX records in public DNS"
                    : "the zone's MX hosts") : "")
                    + (takeOver ? "; records of another host will be replaced" : "")
                    + (delegated ? "; its DNS is elsewhere (delegated)" : "")
                    + (unremove ? "; its removal is withdrawn" : ""));
            boolean waiting = view.map(RowView::lifecycle).filter(lc -> lc.blocked()
                    && lc.step() == Lifecycle.Step.DELEGATION).isPresent();
            out().println("  lifecycle: " + (waiting ? "blocked — certificate requested; waiting for the records below "
                    + "in public DNS (looked at every few minutes)" : view.map(RowView::lifecycleLine).orElse(RowView.NEW)));
            if (delegated) {
                List<String> lines = view.map(RowView::delegationLines).orElse(List.of());
                if (lines.isEmpty()) {
                    out().println("The CNAMEs to publish at " + name + "'s DNS host are shown by mta-sts domain get "
                            + name + " once the stack has picked it up.");
                } else {
                    out().println("Publish these records once at " + name + "'s DNS host:");
                    lines.forEach(l -> out().println("  " + l));
                }
            }
            out().println(noSeeding ? "Give it its policy: mta-sts domain put " + name + " --mode testing --mx mail." + name
                    + table.echo() : "Follow it with: mta-sts domain get " + name + table.echo());
            return Main.OK;
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Create or replace a domain's policy. The policy is checked first: an invalid one is "
                    + "refused (exit 1) and the row is left untouched. Other attributes of the row are kept.",
                "The stack checks the new body live, then publishes its id. A testing or none body is served at "
                        + "once; an enforce body once it covers every MX host of the zone (until then the policy "
                        + "served before stays, and domain get says why)."})
    static final class Put extends RowCommand {
        @Parameters(paramLabel = "DOMAIN", description = "Mail domain, e.g. example.com.")
        String domain;

        @Option(names = "--mode", required = true, paramLabel = "MODE",
                description = "testing, enforce or none. Start with testing.")
        String mode;

        @Mixin
        PolicyOptions policy;

        @Override
        public Integer call() {
            DomainName name = domain(domain);
            if (name == null) {
                return Main.INVALID;
            }
            DomainStore store = table.open();
            Optional<Map<String, Object>> before = store.find(name);
            // a put that leaves out --max-age keeps the row's: cutting an enforce policy's cache time is no default
            long keptMaxAge = before.map(row -> RowView.of(new DomainView(name.value(), row, null))).map(RowView::row)
                    .map(r -> r.policy().maxAge()).orElse(86_400L);
            Policy p = policy.policy(mode, name, keptMaxAge, err());
            if (p == null) {
                return Main.INVALID;
            }
            store.put(new DomainRow(name, p));
            out().println(name + ": " + (before.isEmpty() ? "added, " : "") + RowView.summary(p));
            out().println("  lifecycle: " + RowView.lifecycleLine(store, name));
            out().println("Follow it with: mta-sts domain get " + name + table.echo());
            return Main.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Show a domain's row, where it is in its lifecycle, the policy it serves and its id, or "
                    + "when the stack removed it. Exit 1 if there is no row (and none was removed) or it is invalid.")
    static final class Get extends RowCommand {
        @Parameters(paramLabel = "DOMAIN", description = "Mail domain, e.g. example.com.")
        String domain;

        @Option(names = "--json", description = "Print the row as one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            Existing found = existing(domain);
            if (found == null) {
                return Main.INVALID;
            }
            if (found.removedAt() != null) {
                Map<String, Object> removed = new LinkedHashMap<>();
                removed.put("domain", found.key());
                removed.put("removed", found.removedAt().toString());
                out().println(json ? Json.write(removed)
                        : found.key() + ": removed at " + found.removedAt() + "; nothing the stack made for it is left");
                return Main.OK;
            }
            RowView view = RowView.of(found.view());
            if (json) {
                out().println(Json.write(view.toJson()));
            } else if (view.rowDeleted()) {
                out().println(view.domain() + ": the row is deleted; the stack takes down what it made for it");
                out().println("  lifecycle: " + view.lifecycleLine());
                String served = view.served();
                out().println();
                out().print(served == null ? "(nothing is served)" + System.lineSeparator()
                        : "served now, the announced policy (id " + view.lifecycle().announced().id()
                                + "), until _mta-sts is withdrawn:" + System.lineSeparator()
                                + served.replace("\r\n", System.lineSeparator()));
            } else if (view.row() != null) {
                out().println(view.domain() + ": " + RowView.summary(view.row().policy()));
                out().println("  lifecycle: " + view.lifecycleLine());
                view.mxLines().forEach(l -> out().println("  " + l));
                delegationBlock(view);
                view.checkLines().forEach(l -> out().println("  " + l));
                view.status().forEach((k, v) -> out().println("  " + k.replace('_', ' ') + ": " + v));
                out().println();
                String served = view.served();
                if (served != null && !served.equals(view.row().policy().render())) {
                    // the row's new policy is not the one senders get yet: say which one they get
                    out().println("served now, the announced policy (id " + view.lifecycle().announced().id()
                            + "), until the row's passes the MX check:");
                }
                out().print(served == null ? "(not served: the enforce policy has not passed the MX check yet)" + System.lineSeparator()
                        : served.replace("\r\n", System.lineSeparator()));
            } else {
                boolean unseeded = DomainRow.unseeded(found.view().row());
                out().println(view.domain() + ": " + (unseeded ? view.noPolicy()
                        : "INVALID, " + (view.served() == null ? "not served" : "the announced policy (id "
                                + view.lifecycle().announced().id() + ") is served instead")));
                out().println("  lifecycle: " + view.lifecycleLine());
                if (!unseeded) {
                    view.problems().forEach(p -> out().println("  " + p.message()));
                }
                delegationBlock(view);
            }
            out().flush();
            return view.row() != null || !view.rowDeleted() && DomainRow.unseeded(found.view().row()) ? Main.OK : Main.INVALID;
        }

        /** A delegated domain's CNAMEs, published once at its DNS host. */
        private void delegationBlock(RowView view) {
            List<String> cnames = view.delegationLines();
            if (!cnames.isEmpty()) {
                out().println("  delegation: CNAMEs published once at " + view.domain() + "'s DNS host (to "
                        + view.lifecycle().delegation() + "):");
                cnames.forEach(l -> out().println("    " + l));
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every domain with its policy and lifecycle state.")
    static final class ListRows extends RowCommand {
        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Override
        public Integer call() {
            List<RowView> views = table.open().views().stream().map(RowView::of).toList();
            if (json) {
                out().println(Json.write(views.stream().map(RowView::toJson).toList()));
            } else if (views.isEmpty()) {
                out().println("no domains in table " + table.table);
            } else {
                int width = views.stream().mapToInt(v -> v.domain().length()).max().orElse(6);
                for (RowView v : views) {
                    String policy = v.rowDeleted() ? "(row deleted: the stack takes down what it made for it)"
                            : v.row() != null ? RowView.summary(v.row().policy())
                            : DomainRow.unseeded(v.item()) ? v.noPolicy()
                            : "INVALID: " + String.join("; ", v.problems().stream().map(Problem::message).toList());
                    out().printf("%-" + width + "s  %s%n%-" + width + "s    %s%n", v.domain(), policy, "",
                            v.lifecycleLine());
                    List<String> check = v.checkLines();
                    if (!check.isEmpty()) {
                        out().printf("%-" + width + "s    %s%n", "", check.get(0));
                    }
                }
            }
            out().flush();
            return Main.OK;
        }
    }

    @Command(name = "move-mx", mixinStandardHelpOptions = true,
            description = {"Change a domain's MX hosts without bouncing mail (RFC 8461 §8.1). Under enforce the policy "
                    + "first covers the old and the new hosts, announced with a new id; change your MX records once no "
                    + "sender can hold the previous policy any more (domain get says when, and the stack's alert topic "
                    + "when the time comes; at once if the MX records change before then); the stack drops the old "
                    + "hosts from the policy once no MX record names them.",
                "Under testing and none nothing waits: the policy names the new hosts at once.",
                "--cancel, before the MX records changed, returns to the policy of before the move."})
    static final class MoveMx extends RowCommand {
        @Parameters(paramLabel = "DOMAIN", description = "Mail domain, e.g. example.com.")
        String domain;

        @Option(names = "--to", split = ",", paramLabel = "PATTERN",
                description = "The new MX hosts (patterns as in --mx of domain put); repeat it or separate with commas.")
        List<String> to = new ArrayList<>();

        @Option(names = "--from", split = ",", paramLabel = "PATTERN",
                description = "The patterns that leave the policy (default: the policy's patterns the new ones do not "
                        + "cover).")
        List<String> from;

        @Option(names = "--switch-mx", description = "At the safe time the stack changes the zone's MX records to the "
                + "--to hosts itself (only where the stack's AllowMxSwitch parameter is true; else it says so).")
        boolean switchMx;

        @Option(names = "--to-priority", split = ",", paramLabel = "N",
                description = "With --switch-mx: the MX priority of each --to host, in order (default: the priorities "
                        + "of the MX records there now).")
        List<Integer> priorities = new ArrayList<>();

        @Option(names = "--cancel", description = "Cancel the move under way, before the MX records changed: the "
                + "policy goes back to what it was, announced again.")
        boolean cancel;

        @Override
        public Integer call() {
            Existing found = existing(domain);
            if (found == null) {
                return Main.INVALID;
            }
            RowView view = RowView.of(found.view());
            if (view.rowDeleted() || found.item().get(DomainRow.REMOVE_REQUESTED) != null) {
                err().println("mta-sts: " + view.domain() + " is being removed: no MX move (mta-sts domain get "
                        + view.domain() + ")");
                return Main.INVALID;
            }
            if (view.row() == null) {
                err().println("mta-sts: the row for " + view.domain() + " has no valid policy to move: "
                        + (view.problems().isEmpty() ? "none yet (it is seeded from the zone's MX hosts)"
                        : view.problems().get(0).message()));
                return Main.INVALID;
            }
            MxMove.Wish wish = MxMove.Wish.of(found.item());
            if (wish == null && DomainRow.delegated(found.item())) {
                err().println("mta-sts: " + view.domain() + "'s DNS is not in Route53 (dns: delegated): the stack "
                        + "cannot follow or change its MX records there. Put a policy that covers the old and the new "
                        + "hosts (mta-sts domain put), change the MX records once its max_age has passed, then put the "
                        + "policy without the old hosts");
                return Main.INVALID;
            }
            return cancel ? cancel(found, view, wish) : start(found, view, wish);
        }

        private Integer start(Existing found, RowView view, MxMove.Wish under) {
            DomainName name = view.row().domain();
            if (to.isEmpty()) {
                err().println("mta-sts: give the new MX hosts with --to (or --cancel the move under way)");
                return Main.INVALID;
            }
            if (under != null) {
                err().println("mta-sts: a move of " + name + "'s MX hosts to " + String.join(", ", under.to())
                        + " is under way (mta-sts domain get " + name + "); cancel it first: mta-sts domain move-mx "
                        + name + " --cancel");
                return Main.INVALID;
            }
            Policy current = view.row().policy();
            Instant now = Instant.now();
            MxMove.Wish wish;
            Policy next;
            try {
                wish = MxMove.Wish.of(current, to, from, switchMx, priorities, now);
                next = wish.policyNow(current);
            } catch (InvalidException e) {
                List<Problem> problems = e.problems();
                for (int i = 0; i < problems.size(); i++) {
                    err().println("mta-sts: " + name + ": " + problems.get(i).message()
                            + (i == problems.size() - 1 ? "; nothing written" : ""));
                }
                return Main.INVALID;
            }
            if (wish.forTheStack(current)) {
                if (!found.store().startMove(new DomainRow(name, next), wish.toPlain())) {
                    err().println("mta-sts: a move of " + name + "'s MX hosts started meanwhile (mta-sts domain get "
                            + name + ")");
                    return Main.INVALID;
                }
            } else {
                found.store().put(new DomainRow(name, next));
            }
            Lifecycle lc = view.lifecycle();
            Lifecycle.Announced announced = lc == null ? null : lc.announced();
            out().println(name + ": " + RowView.summary(next));
            if (current.mode() == Mode.ENFORCE) {
                out().println("  mx move: " + MxMove.describe(wish, null, announced, now));
            } else {
                boolean held = PolicyUpdates.earlierMayBeHeld(announced, now);
                out().println("  mx move: " + current.mode() + " policy, so nothing waits (senders deliver anyway): "
                        + "the policy names " + String.join(", ", wish.after()) + " at once; "
                        + (switchMx ? "the stack changes the MX records to " + String.join(", ", wish.to())
                                + (held ? " once no sender can hold the enforce policy announced before ("
                                        + MxMove.minute(announced.earlierUntil()) + ")" : " at its next run")
                        : "change your MX records when you like" + (held ? ", but senders may hold the enforce policy "
                                + "announced before until " + MxMove.minute(announced.earlierUntil())
                                + ": keep the old MX hosts until then" : "")));
            }
            out().println("  lifecycle: " + RowView.lifecycleLine(found.store(), name));
            out().println("Follow it with: mta-sts domain get " + name + table.echo());
            return Main.OK;
        }

        private Integer cancel(Existing found, RowView view, MxMove.Wish wish) {
            DomainName name = view.row().domain();
            if (!to.isEmpty() || from != null || switchMx || !priorities.isEmpty()) {
                err().println("mta-sts: --cancel takes no other option");
                return Main.INVALID;
            }
            if (wish == null) {
                err().println("mta-sts: no move of " + name + "'s MX hosts is under way");
                return Main.INVALID;
            }
            MxMove move = view.lifecycle() == null ? null : view.lifecycle().move();
            if (move != null && move.asked().equals(wish.asked())) {
                String back = move.oldRecords().isEmpty() ? "" : " (" + String.join(", ", move.oldRecords()) + ")";
                String refused = move.phase() == MxMove.Phase.DROPPING || move.phase() == MxMove.Phase.DONE
                        ? "the move is past the switch: no MX record names " + String.join(", ", wish.from())
                                + " any more. To go back, move again once it is done: mta-sts domain move-mx " + name
                                + " --to " + String.join(",", wish.from())
                        : move.note() != null && move.note().startsWith("the stack changed")
                        ? move.note() + ": put the old MX records back first" + back + ", then cancel"
                        : !move.early().isEmpty() ? "the MX records name " + String.join(", ", move.early())
                                + ", which the policy of before the move does not cover: put the old MX records back "
                                + "first" + back + ", then cancel; or let the move carry on"
                        : null;
                if (refused != null) {
                    err().println("mta-sts: " + refused);
                    return Main.INVALID;
                }
            }
            if (!found.store().cancelMove(name, wish.asked(), wish.before())) {
                err().println("mta-sts: the move changed meanwhile (mta-sts domain get " + name + ")");
                return Main.INVALID;
            }
            Policy before;
            try {
                before = Policy.of(view.row().policy().mode().text(), wish.before(),
                        Long.toString(view.row().policy().maxAge()));
            } catch (InvalidException e) {
                throw new IllegalStateException(e); // the policy of before the move was valid
            }
            out().println(name + ": MX move cancelled; " + RowView.summary(before));
            out().println("  the policy of before the move is announced again (its id changes back from the covering "
                    + "policy's)");
            out().println("  lifecycle: " + RowView.lifecycleLine(found.store(), name));
            out().println("Follow it with: mta-sts domain get " + name + table.echo());
            return Main.OK;
        }

    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = {"Retire a domain's policy safely (RFC 8461 §8.3): publish mode none with a short max_age "
                    + "and so a new id, which tells senders to drop the policy they cached. Once the old max_age has "
                    + "passed, remove the domain (mta-sts domain remove)."})
    static final class Retire extends RowCommand {
        /** §8.3's example of a short max_age. */
        static final long SHORT_MAX_AGE = 86_400;

        @Parameters(paramLabel = "DOMAIN", description = "Mail domain, e.g. example.com.")
        String domain;

        @Override
        public Integer call() {
            Existing found = existing(domain);
            if (found == null) {
                return Main.INVALID;
            }
            if (found.removedAt() != null) {
                err().println("mta-sts: " + found.key() + " was removed at " + found.removedAt() + ": there is no policy "
                        + "to retire");
                return Main.INVALID;
            }
            RowView view = RowView.of(found.view());
            if (view.rowDeleted()) {
                err().println("mta-sts: the row for " + view.domain() + " is deleted: the stack is taking down what it "
                        + "made for it (mta-sts domain get " + view.domain() + ")");
                return Main.INVALID;
            }
            if (view.row() == null) {
                err().println("mta-sts: the row for " + view.domain() + " has no valid policy to retire: "
                        + (view.problems().isEmpty() ? "none yet" : view.problems().get(0).message())
                        + "; remove it with mta-sts domain remove " + view.domain());
                return Main.INVALID;
            }
            DomainName name = view.row().domain();
            Policy old = view.row().policy();
            if (old.mode() == Mode.NONE) {
                out().println(name + ": already retired (mode none)" + (found.item().get(DomainRow.RETIRE_AFTER) == null
                        ? "" : "; it can be removed after " + found.item().get(DomainRow.RETIRE_AFTER)));
                return Main.OK;
            }
            Instant now = Instant.now();
            // RFC 8461 §8.1: the enforce policy announced now, and any announced before it (a longer max_age, the
            // policy of before an MX move), may be held until its max_age after the new id reaches every resolver
            Lifecycle lc = view.lifecycle();
            Instant held = lc == null ? null
                    : PolicyUpdates.earlierEnforcedUntil(now, LifecycleSettings.DEFAULT_TTL, lc.announced());
            Instant own = now.plusSeconds(old.maxAge());
            Instant safe = MxMove.minuteUp(held != null && held.isAfter(own) ? held : own);
            Policy none = new Policy(Mode.NONE, old.mx(), Math.min(old.maxAge(), SHORT_MAX_AGE));
            found.store().put(new DomainRow(name, none));
            found.store().markRetiring(name, safe);
            out().println(name + ": " + RowView.summary(none));
            out().println("Senders that cached the " + old.mode() + " policy may keep it until " + safe
                    + (held != null && held.isAfter(own) ? " (the max_age of the enforce policies announced so far, "
                    + "from when the new id reaches every resolver)" : " (its max_age)") + ". After that: mta-sts "
                    + "domain remove " + name);
            return Main.OK;
        }
    }

    @Command(name = "remove", aliases = "delete", mixinStandardHelpOptions = true,
            description = {"Remove a domain: the stack takes away everything it made for it, in reverse order "
                    + "(_mta-sts first, then _smtp._tls, the policy host's records, custom domain and certificate), "
                    + "and the row last.",
                "Senders cache a policy for its max_age, so an announced policy is retired first (mta-sts domain "
                        + "retire, RFC 8461 §8.3) and removed once the old max_age has passed; before that this "
                        + "refuses, unless --force."})
    static final class Remove extends RowCommand {
        @Parameters(paramLabel = "DOMAIN", description = "Mail domain, e.g. example.com.")
        String domain;

        @Option(names = "--force", description = "Remove even though senders may still cache the policy.")
        boolean force;

        @Override
        public Integer call() {
            Existing found = existing(domain);
            if (found == null) {
                return Main.INVALID;
            }
            if (found.removedAt() != null) {
                out().println(found.key() + ": removed already, at " + found.removedAt());
                return Main.OK;
            }
            RowView view = RowView.of(found.view());
            Lifecycle lc = view.lifecycle();
            if (view.rowDeleted()) {
                err().println("mta-sts: the row for " + view.domain() + " is deleted already: the stack is taking down "
                        + "what it made for it (mta-sts domain get " + view.domain() + ")");
                return Main.INVALID;
            }
            Optional<String> risk = Retirement.risk(view, lc, Instant.now());
            if (risk.isPresent()) {
                if (!force) {
                    err().println("mta-sts: " + risk.get() + "; or use --force");
                    return Main.INVALID;
                }
                err().println("warning: " + risk.get());
            }
            if (found.name() == null || lc == null || lc.step() == Lifecycle.Step.LOCAL) {
                // nothing was made for it by the stack: the row (and the local stack's note) is all there is
                found.store().deleteKey(found.key());
                found.store().state().deleteKey(found.key());
                out().println(view.domain() + ": removed");
                return Main.OK;
            }
            found.store().setWish(found.name(), DomainRow.REMOVE_REQUESTED, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            out().println(view.domain() + ": removal requested; the stack now removes _mta-sts, _smtp._tls, "
                    + found.name().policyHost() + " and its certificate, then the row");
            List<String> cnames = view.delegationLines();
            if (!cnames.isEmpty()) {
                out().println("Once it is removed, delete these records at " + view.domain() + "'s DNS host:");
                cnames.forEach(l -> out().println("  " + l));
            }
            out().println("Follow it with: mta-sts domain get " + found.name() + table.echo());
            return Main.OK;
        }
    }

    /** When removing a row would leave senders with a cached policy whose host is gone (RFC 8461 §8.3). */
    static final class Retirement {
        private Retirement() {
        }

        static Optional<String> risk(RowView view, Lifecycle lc, Instant now) {
            boolean announced = lc != null && lc.announced() != null;
            if (view.row() != null && view.row().policy().mode() != Mode.NONE && announced) {
                return Optional.of(view.domain() + "'s " + view.row().policy().mode() + " policy is announced and "
                        + "senders cache it for up to " + view.row().policy().maxAge() + " s: retire it first ("
                        + "mta-sts domain retire " + view.domain() + "), then remove it once that has passed");
            }
            if (view.status().get(DomainRow.RETIRE_AFTER) instanceof String s) {
                Instant after = Instant.parse(s);
                if (after.isAfter(now)) {
                    return Optional.of("senders may still cache the policy " + view.domain() + " had before it was "
                            + "retired, until " + s + " (RFC 8461 §8.3); remove it after that");
                }
            }
            return Optional.empty();
        }
    }

    /**
     * A domain as the CLI shows it: the valid row, or why it is not one (or that it is deleted), and what the stack
     * did with it, from its own state.
     */
    record RowView(String domain, DomainRow row, List<Problem> problems, Map<String, Object> status, Lifecycle lifecycle,
            Map<String, Object> item, boolean rowDeleted) {
        static RowView of(DomainView view) {
            Map<String, Object> item = view.merged();
            Map<String, Object> status = new LinkedHashMap<>();
            for (String k : List.of(DomainRow.DNS, DomainRow.TAKE_OVER, DomainRow.RETIRE_AFTER, DomainRow.REMOVE_REQUESTED)) {
                if (item.get(k) != null) {
                    status.put(k, item.get(k));
                }
            }
            Lifecycle lc = view.lifecycle();
            if (view.rowDeleted()) {
                return new RowView(view.key(), null, List.of(), status, lc, item, true);
            }
            try {
                return new RowView(view.key(), DomainRow.parse(item), List.of(), status, lc, item, false);
            } catch (InvalidException e) {
                return new RowView(view.key(), null, e.problems(), status, lc, item, false);
            }
        }

        static String summary(Policy p) {
            return p.mode() + ", mx " + (p.mx().isEmpty() ? "(none)"
                    : String.join(" ", p.mx().stream().map(Object::toString).toList()))
                    + ", max_age " + p.maxAge() + ", id " + p.id();
        }

        /**
         * What the policy host serves now (RFC 8461 §8.1: possibly the announced policy, or none; see Lifecycle): the
         * announced policy for a row that is deleted or holds no valid policy.
         */
        String served() {
            return Lifecycle.bodyToServe(row == null ? null : row.policy(), lifecycle);
        }

        /**
         * An MX move ({@code mx move: …}), and a seeded policy that follows the zone's MX records
         * ({@code mx: follows …}).
         */
        List<String> mxLines() {
            List<String> lines = new ArrayList<>();
            Map<String, Object> move = moveJson();
            if (move != null) {
                lines.add("mx move: " + move.get("detail"));
            }
            if (seededJson() != null) {
                Lifecycle.Seeded seeded = lifecycle.seeded();
                lines.add("mx: the seeded testing policy follows the zone's MX records" + (seeded.followedAt() == null
                        ? "" : "; it followed them at " + seeded.followedAt().truncatedTo(ChronoUnit.SECONDS)
                        + " (it named " + String.join(", ", seeded.before()) + " before)"));
            }
            return lines;
        }

        /** The MX move as {@code domain get --json} gives it under {@code lifecycle.mx_move}; null when there is none. */
        Map<String, Object> moveJson() {
            MxMove.Wish wish = rowDeleted ? null : MxMove.Wish.of(item);
            MxMove move = lifecycle == null ? null : lifecycle.move();
            String detail = MxMove.describe(wish, move, lifecycle == null ? null : lifecycle.announced(), Instant.now());
            if (detail == null) {
                return null;
            }
            boolean current = move != null && (wish == null || move.asked().equals(wish.asked()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", current ? move.phase().text() : MxMove.Phase.COVERING.text());
            m.put("from", current ? move.from() : wish.from());
            m.put("to", current ? move.to() : wish.to());
            m.put("switch_mx", current ? move.switchMx() : wish.switchMx());
            m.put("asked", current ? move.asked() : wish.asked());
            if (current && move.safeAfter() != null) {
                m.put("safe_after", secondUp(move.safeAfter()));
            }
            if (current && !move.early().isEmpty()) {
                Map<String, Object> early = new LinkedHashMap<>();
                early.put("hosts", move.early());
                early.put("since", String.valueOf(move.earlySince().truncatedTo(ChronoUnit.SECONDS)));
                early.put("until", secondUp(move.safeAfter()));
                early.put("old_records", move.oldRecords());
                m.put("early", early);
            }
            m.put("detail", detail);
            return m;
        }

        /** A safe time to the second, rounded up: never said earlier than it is. */
        static String secondUp(Instant t) {
            Instant s = t.truncatedTo(ChronoUnit.SECONDS);
            return (s.equals(t) ? s : s.plusSeconds(1)).toString();
        }

        /** A seeded policy the row still holds, which follows the zone's MX records; null otherwise. */
        Map<String, Object> seededJson() {
            Lifecycle.Seeded seeded = lifecycle == null ? null : lifecycle.seeded();
            if (seeded == null || row == null || !row.policy().id().equals(seeded.id()) || row.policy().mode() != Mode.TESTING) {
                return null;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("follows_mx", true);
            if (seeded.followedAt() != null) {
                m.put("followed_at", seeded.followedAt().truncatedTo(ChronoUnit.SECONDS).toString());
                m.put("followed_from", seeded.before());
            }
            return m;
        }

        /** The daily check's outcome: {@code check: error at …}, then one line per failing check. */
        List<String> checkLines() {
            if (!(item.get(StateStore.CHECK) instanceof Map<?, ?> c)) {
                return List.of();
            }
            List<String> lines = new ArrayList<>();
            List<?> failures = c.get("failures") instanceof List<?> l ? l : List.of();
            lines.add("daily check: " + c.get("status") + " at " + c.get("at")
                    + (failures.isEmpty() ? "" : " (" + failures.size() + " failing; mta-sts check " + domain + ")"));
            for (Object f : failures) {
                if (f instanceof Map<?, ?> m) {
                    lines.add("  " + m.get("level") + " " + m.get("check") + ": " + m.get("message"));
                }
            }
            return lines;
        }

        static final String NEW = "new — the stack has not picked the domain up yet";

        /** The lifecycle line of a domain as the tables hold it now. */
        static String lifecycleLine(DomainStore store, DomainName name) {
            return store.view(name.value()).map(v -> of(v).lifecycleLine()).orElse(NEW);
        }

        /** The domain once the stack has picked it up (its state written), or as it is after {@code max}. */
        static Optional<RowView> awaitPickUp(DomainStore store, DomainName name, java.time.Duration max) {
            return await(store, name, max, view -> view.isEmpty() || view.get().lifecycle() != null);
        }

        /** The row and the stack's state once {@code done} says so, or after {@code max}, looked at every 100 ms. */
        private static Optional<RowView> await(DomainStore store, DomainName name, java.time.Duration max,
                java.util.function.Predicate<Optional<RowView>> done) {
            long deadline = System.nanoTime() + max.toNanos();
            while (true) {
                Optional<RowView> view = store.view(name.value()).map(RowView::of);
                if (done.test(view) || System.nanoTime() > deadline) {
                    return view;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return view;
                }
            }
        }

        /**
         * The CNAMEs a delegated domain publishes once at its DNS host, as zone-file lines (RFC 8461 §8.2); the fourth,
         * the certificate's validation record, once ACM has named it. Empty for a domain in Route53, or before the
         * stack has set the domain up under its delegation zone.
         */
        List<String> delegationLines() {
            if (lifecycle == null || !lifecycle.delegated() || domainName() == null) {
                return List.of();
            }
            List<String> lines = new ArrayList<>(Delegation.zoneLines(
                    new Delegation(domainName(), lifecycle.delegation()).cnames(lifecycle.validation())));
            if (lifecycle.validation() == null) {
                lines.add("(and the certificate's validation CNAME, once ACM names it: mta-sts records " + domain + ")");
            }
            return lines;
        }

        /** The CNAMEs as {@code domain get --json} gives them under {@code delegation}; null when not delegated. */
        Map<String, Object> delegationJson() {
            if (lifecycle == null || !lifecycle.delegated() || domainName() == null) {
                return null;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("zone", lifecycle.delegation());
            List<Object> records = new ArrayList<>();
            for (Delegation.Cname c : new Delegation(domainName(), lifecycle.delegation()).cnames(lifecycle.validation())) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", c.name() + ".");
                r.put("type", "CNAME");
                r.put("value", c.target() + ".");
                records.add(r);
            }
            m.put("records", records);
            return m;
        }

        private DomainName domainName() {
            try {
                return DomainName.parse(domain);
            } catch (InvalidException e) {
                return null;
            }
        }

        /** A delegated domain once the stack knows its four CNAMEs (or has blocked before that), or after {@code max}. */
        static Optional<RowView> awaitDelegation(DomainStore store, DomainName name, java.time.Duration max) {
            return await(store, name, max, view -> {
                Lifecycle lc = view.map(RowView::lifecycle).orElse(null);
                return lc == null || lc.blocked() || lc.step().ordinal() > Lifecycle.Step.DELEGATION.ordinal();
            });
        }

        /** Whether the local stack without an AWS emulator has the domain: nothing is made, nothing seeded. */
        boolean servedLocally() {
            return lifecycle != null && lifecycle.step() == Lifecycle.Step.LOCAL;
        }

        /** A row that holds only its domain, in a word. */
        String noPolicy() {
            return servedLocally() ? "no policy, not served (without an AWS emulator nothing seeds one)"
                    : DomainRow.delegated(item) ? "no policy yet (it is seeded from its MX records in public DNS)"
                    : "no policy yet (it is seeded from the zone's MX hosts)";
        }

        /** {@code ready — served on its own certificate and announced (id …)}. */
        String lifecycleLine() {
            Map<String, Object> lc = lifecycleJson();
            return lc.get("state") + " — " + lc.get("detail");
        }

        Map<String, Object> lifecycleJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            Lifecycle.Status status = Lifecycle.status(domain, rowDeleted ? null : item, lifecycle);
            m.put("state", status.state());
            String asked = "removal asked for: ";
            m.put("detail", rowDeleted && status.detail().startsWith(asked)
                    ? "the row was deleted: " + status.detail().substring(asked.length()) : status.detail());
            if (lifecycle == null) {
                return m;
            }
            m.put("step", lifecycle.step().text());
            if (lifecycle.since() != null) {
                m.put("since", lifecycle.since().truncatedTo(ChronoUnit.SECONDS).toString());
            }
            if (lifecycle.retryAt() != null) {
                m.put("next_try", lifecycle.retryAt().truncatedTo(ChronoUnit.SECONDS).toString());
            }
            if (lifecycle.announced() != null) {
                m.put("announced_id", lifecycle.announced().id());
            }
            Map<String, Object> move = moveJson();
            if (move != null) {
                m.put("mx_move", move);
            }
            Map<String, Object> seeded = seededJson();
            if (seeded != null) {
                m.put("seeded", seeded);
            }
            return m;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("domain", domain);
            m.put("valid", row != null);
            if (rowDeleted) {
                m.put("row_deleted", true);
            } else if (row != null) {
                m.put("mode", row.policy().mode().text());
                m.put("mx", row.policy().mx().stream().map(Object::toString).toList());
                m.put("max_age", row.policy().maxAge());
                m.put("id", row.policy().id());
            } else {
                m.put("errors", problems.stream().map(Problem::message).toList());
            }
            m.putAll(status);
            m.put("lifecycle", lifecycleJson());
            Map<String, Object> cnames = delegationJson();
            if (cnames != null) {
                m.put("delegation", cnames);
            }
            String served = served();
            if (served != null && (row == null || !served.equals(row.policy().render()))) {
                m.put("served_id", lifecycle.announced().id());
            }
            if (item.get(StateStore.CHECK) != null) {
                m.put("check", item.get(StateStore.CHECK));
            }
            return m;
        }
    }
}
