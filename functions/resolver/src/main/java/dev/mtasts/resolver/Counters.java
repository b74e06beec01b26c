package dev.mtasts.resolver;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What the resolver has done since it started: lookups, those answered from the cache, answers by kind, policy
 * fetches and why they failed. Written in the log on SIGUSR1, and served in Prometheus's text format when
 * {@code metrics} is set.
 */
public final class Counters {
    /** The kind of a socketmap reply. */
    public enum Reply {
        SECURE, DANE_ONLY, NOTFOUND, TEMP, PERM;

        static Reply of(String reply) {
            if (reply.startsWith("OK dane-only")) {
                return DANE_ONLY;
            }
            if (reply.startsWith("OK ")) {
                return SECURE;
            }
            if (reply.startsWith("TEMP")) {
                return TEMP;
            }
            return reply.startsWith("PERM") ? PERM : NOTFOUND;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Why a policy could not be had: the step of RFC 8461 §3 that failed. */
    public enum Failure {
        /** The {@code _mta-sts} record or the policy host's address could not be looked up. */
        DNS,
        /** No TCP connection to the policy host. */
        CONNECT,
        /** The TLS handshake failed: most often a certificate not valid for the policy host. */
        TLS,
        /** No usable HTTP answer: timed out, a status other than 200, not text/plain, too large. */
        HTTP,
        /** The body is not a valid policy (RFC 8461 §3.2). */
        INVALID;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final LongAdder lookups = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder fetches = new LongAdder();
    private final Map<Reply, LongAdder> replies = new EnumMap<>(Reply.class);
    private final Map<Failure, LongAdder> failures = new EnumMap<>(Failure.class);
    private final IntSupplier domains;
    private final IntSupplier policies;

    /** @param domains domains remembered now; @param policies valid policies cached now */
    public Counters(IntSupplier domains, IntSupplier policies) {
        this.domains = domains;
        this.policies = policies;
        for (Reply r : Reply.values()) {
            replies.put(r, new LongAdder());
        }
        for (Failure f : Failure.values()) {
            failures.put(f, new LongAdder());
        }
    }

    void lookup(boolean fromCache, String reply) {
        lookups.increment();
        if (fromCache) {
            cacheHits.increment();
        }
        replies.get(Reply.of(reply)).increment();
    }

    void fetch() {
        fetches.increment();
    }

    void failed(Failure why) {
        failures.get(why).increment();
    }

    public long lookups() {
        return lookups.sum();
    }

    public long cacheHits() {
        return cacheHits.sum();
    }

    public long replies(Reply r) {
        return replies.get(r).sum();
    }

    public long failures(Failure f) {
        return failures.get(f).sum();
    }

    /** One log line: {@code counters: lookups 3 (from the cache 2); answers secure 2, dane-only 0, …}. */
    public String line() {
        StringBuilder b = new StringBuilder("counters: lookups ").append(lookups()).append(" (from the cache ")
                .append(cacheHits()).append("); answers");
        String sep = " ";
        for (Reply r : Reply.values()) {
            b.append(sep).append(r.label()).append(' ').append(replies(r));
            sep = ", ";
        }
        b.append("; policy fetches ").append(fetches.sum()).append(", failures");
        sep = " ";
        for (Failure f : Failure.values()) {
            b.append(sep).append(f.label()).append(' ').append(failures(f));
            sep = ", ";
        }
        return b.append("; domains ").append(domains.getAsInt()).append(", policies cached ").append(policies.getAsInt())
                .toString();
    }

    /** Prometheus's text exposition format (version 0.0.4). */
    public String prometheus() {
        StringBuilder b = new StringBuilder(1024);
        metric(b, "mta_sts_resolver_lookups_total", "counter", "Socketmap lookups answered.");
        b.append("mta_sts_resolver_lookups_total ").append(lookups()).append('\n');
        metric(b, "mta_sts_resolver_cache_hits_total", "counter",
                "Lookups answered from the cache, without waiting on the network.");
        b.append("mta_sts_resolver_cache_hits_total ").append(cacheHits()).append('\n');
        metric(b, "mta_sts_resolver_answers_total", "counter", "Answers by kind.");
        for (Reply r : Reply.values()) {
            b.append("mta_sts_resolver_answers_total{answer=\"").append(r.label()).append("\"} ").append(replies(r))
                    .append('\n');
        }
        metric(b, "mta_sts_resolver_policy_fetches_total", "counter", "Policy fetches started.");
        b.append("mta_sts_resolver_policy_fetches_total ").append(fetches.sum()).append('\n');
        metric(b, "mta_sts_resolver_policy_failures_total", "counter",
                "Policies that could not be had, by the step that failed.");
        for (Failure f : Failure.values()) {
            b.append("mta_sts_resolver_policy_failures_total{reason=\"").append(f.label()).append("\"} ")
                    .append(failures(f)).append('\n');
        }
        metric(b, "mta_sts_resolver_domains", "gauge", "Domains remembered, with a policy or the reason for none.");
        b.append("mta_sts_resolver_domains ").append(domains.getAsInt()).append('\n');
        metric(b, "mta_sts_resolver_policies", "gauge", "Valid policies cached.");
        b.append("mta_sts_resolver_policies ").append(policies.getAsInt()).append('\n');
        return b.toString();
    }

    private static void metric(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
