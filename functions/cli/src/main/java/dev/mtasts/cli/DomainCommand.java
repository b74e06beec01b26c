package dev.mtasts.cli;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Policy;
import dev.mtasts.core.Problem;
import dev.mtasts.store.DomainStore;
import java.io.PrintWriter;
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
        description = "Add, change, show, list and delete rows of the domains table.",
        subcommands = {DomainCommand.Put.class, DomainCommand.Get.class, DomainCommand.ListRows.class,
                DomainCommand.Retire.class, DomainCommand.Delete.class})
final class DomainCommand {

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

        /** A domain's stored row: its name, the table it is in, and the item as stored. */
        record Existing(DomainName name, DomainStore store, Map<String, Object> item) {
        }

        /** The row for the domain argument, or null after saying why there is none. */
        Existing existing(String arg) {
            DomainName name = domain(arg);
            if (name == null) {
                return null;
            }
            DomainStore store = table.open();
            Optional<Map<String, Object>> item = store.find(name);
            if (item.isEmpty()) {
                err().println("mta-sts: no row for " + name + " in table " + table.table);
                return null;
            }
            return new Existing(name, store, item.get());
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

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Create or replace a domain's policy. The policy is checked first: an invalid one is "
                    + "refused (exit 1) and the row is left untouched. Other attributes of the row are kept."})
    static final class Put extends RowCommand {
        @Parameters(paramLabel = "DOMAIN", description = "Mail domain, e.g. example.com.")
        String domain;

        @Option(names = "--mode", required = true, paramLabel = "MODE",
                description = "testing, enforce or none. Start with testing.")
        String mode;

        @Option(names = "--mx", split = ",", paramLabel = "PATTERN",
                description = "An MX host pattern (mail.example.com, *.example.net); repeat it or separate with commas. "
                        + "Required unless --mode none.")
        List<String> mx = new ArrayList<>();

        @Option(names = "--max-age", paramLabel = "SECONDS", defaultValue = "86400",
                description = "How long senders cache the policy, 0 to 31557600 (default: ${DEFAULT-VALUE}, one day).")
        String maxAge;

        @Override
        public Integer call() {
            DomainName name = domain(domain);
            if (name == null) {
                return Main.INVALID;
            }
            Policy policy;
            try {
                policy = Policy.of(mode, mx, maxAge);
            } catch (InvalidException e) {
                for (Problem p : e.problems()) {
                    err().println("mta-sts: " + name + ": " + p.message());
                }
                err().println("mta-sts: row not changed");
                return Main.INVALID;
            }
            DomainStore store = table.open();
            store.put(new DomainRow(name, policy));
            out().println(name + ": " + RowView.summary(policy));
            return Main.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Show a domain's row, the policy it serves and its id. Exit 1 if there is no row or it is invalid.")
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
            DomainName name = found.name();
            RowView view = RowView.of(found.item());
            if (json) {
                out().println(Json.write(view.toJson()));
            } else if (view.row() != null) {
                out().println(name + ": " + RowView.summary(view.row().policy()));
                view.status().forEach((k, v) -> out().println("  " + k.replace('_', ' ') + ": " + v));
                out().println();
                out().print(view.row().policy().render().replace("\r\n", System.lineSeparator()));
            } else {
                out().println(name + ": INVALID, not served");
                view.problems().forEach(p -> out().println("  " + p.message()));
            }
            out().flush();
            return view.row() != null ? Main.OK : Main.INVALID;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every row with its state.")
    static final class ListRows extends RowCommand {
        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Override
        public Integer call() {
            List<RowView> views = table.open().list().stream().map(RowView::of).toList();
            if (json) {
                out().println(Json.write(views.stream().map(RowView::toJson).toList()));
            } else if (views.isEmpty()) {
                out().println("no domains in table " + table.table);
            } else {
                int width = views.stream().mapToInt(v -> v.domain().length()).max().orElse(6);
                for (RowView v : views) {
                    out().printf("%-" + width + "s  %s%n", v.domain(), v.row() != null
                            ? RowView.summary(v.row().policy())
                            : "INVALID: " + String.join("; ", v.problems().stream().map(Problem::message).toList()));
                }
            }
            out().flush();
            return Main.OK;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = {"Retire a domain's policy safely (RFC 8461 §8.3): publish mode none with a short max_age "
                    + "and so a new id, which tells senders to drop the policy they cached. Once the old max_age has "
                    + "passed, delete the row (the DNS function then removes _mta-sts)."})
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
            DomainName name = found.name();
            DomainStore store = found.store();
            Map<String, Object> item = found.item();
            RowView view = RowView.of(item);
            if (view.row() == null) {
                err().println("mta-sts: the row for " + name + " is invalid; fix it or delete it: "
                        + view.problems().get(0).message());
                return Main.INVALID;
            }
            Policy old = view.row().policy();
            java.time.Instant safe = java.time.Instant.now().plusSeconds(old.maxAge());
            if (old.mode() == dev.mtasts.core.Mode.NONE) {
                out().println(name + ": already retired (mode none)" + (item.get("retire_after") == null ? ""
                        : "; safe to delete after " + item.get("retire_after")));
                return Main.OK;
            }
            Policy none = new Policy(dev.mtasts.core.Mode.NONE, old.mx(), Math.min(old.maxAge(), SHORT_MAX_AGE));
            store.put(new DomainRow(name, none));
            store.markRetiring(name, safe);
            out().println(name + ": " + RowView.summary(none));
            out().println("Senders that cached the " + old.mode() + " policy may keep it until " + safe
                    + " (its max_age). After that: mta-sts domain delete " + name);
            return Main.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a domain's row: its policy stops being served at once.",
                "Senders that cached the policy keep using it until its max_age runs out; to retire a policy safely "
                        + "publish mode none first (RFC 8461 §8.3)."})
    static final class Delete extends RowCommand {
        @Parameters(paramLabel = "DOMAIN", description = "Mail domain, e.g. example.com.")
        String domain;

        @Option(names = "--force", description = "Delete even though senders may still cache the retired policy.")
        boolean force;

        @Override
        public Integer call() {
            Existing found = existing(domain);
            if (found == null) {
                return Main.INVALID;
            }
            DomainName name = found.name();
            DomainStore store = found.store();
            Map<String, Object> item = found.item();
            Object mode = item.get(DomainRow.MODE);
            Object after = item.get("retire_after");
            if (!"none".equals(mode)) {
                err().println("warning: " + name + " was not retired (mode " + mode + "): senders keep its cached "
                        + "policy until that expires; mta-sts domain retire is the safe way out");
            } else if (after instanceof String s && java.time.Instant.parse(s).isAfter(java.time.Instant.now())) {
                if (!force) {
                    err().println("mta-sts: senders may still cache the policy " + name + " had before retiring, until "
                            + s + " (RFC 8461 §8.3); delete after that, or use --force");
                    return Main.INVALID;
                }
                err().println("warning: senders may still cache the policy " + name + " had before retiring, until " + s);
            }
            store.delete(name);
            out().println(name + ": deleted");
            return Main.OK;
        }
    }

    /** A stored item as the CLI shows it: the valid row, or why it is not one. */
    record RowView(String domain, DomainRow row, List<Problem> problems, Map<String, Object> status) {
        /** What the DNS side and retirement wrote on the row. */
        static final List<String> STATUS = List.of("dns_status", "dns_id", "dns_checked", "retire_after");

        static RowView of(Map<String, Object> item) {
            String domain = String.valueOf(item.get(DomainRow.DOMAIN));
            Map<String, Object> status = new LinkedHashMap<>();
            STATUS.forEach(k -> {
                if (item.get(k) != null) {
                    status.put(k, item.get(k));
                }
            });
            try {
                return new RowView(domain, DomainRow.parse(item), List.of(), status);
            } catch (InvalidException e) {
                return new RowView(domain, null, e.problems(), status);
            }
        }

        static String summary(Policy p) {
            return p.mode() + ", mx " + (p.mx().isEmpty() ? "(none)"
                    : String.join(" ", p.mx().stream().map(Object::toString).toList()))
                    + ", max_age " + p.maxAge() + ", id " + p.id();
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("domain", domain);
            m.put("valid", row != null);
            if (row != null) {
                m.put("mode", row.policy().mode().text());
                m.put("mx", row.policy().mx().stream().map(Object::toString).toList());
                m.put("max_age", row.policy().maxAge());
                m.put("id", row.policy().id());
            } else {
                m.put("errors", problems.stream().map(Problem::message).toList());
            }
            m.putAll(status);
            return m;
        }
    }
}
