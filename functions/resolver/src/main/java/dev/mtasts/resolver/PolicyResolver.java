package dev.mtasts.resolver;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Mode;
import dev.mtasts.core.Policy;
import dev.mtasts.sender.Dns;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.sender.Sender;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The sending side of MTA-STS (RFC 8461 §5) for Postfix: what a lookup for a domain answers, and the cache behind it.
 *
 * <ul>
 *   <li>A valid policy is cached for its max_age from the fetch, in memory and in the cache file.</li>
 *   <li>A lookup is answered from the cache whenever it holds a valid policy. Once {@code cache_grace} has passed
 *       since the last check, the lookup also starts a check in the background: the {@code _mta-sts} id is asked,
 *       and the policy fetched again only when the id changed (§3.1). The MX hosts are resolved again with it.</li>
 *   <li>A policy still in use (looked up since it was fetched) is fetched again in the background once three
 *       quarters of its max_age have passed, so that lookups do not find it expired and wait on the network.</li>
 *   <li>A failed check or fetch keeps the cached policy until it expires (§5.1), and is not tried again before
 *       {@code cache_grace} has passed.</li>
 *   <li>A domain without a policy, or whose policy could not be had, is remembered as such for {@code cache_grace};
 *       with nothing cached a lookup waits for the discovery, at most twice the zone's timeout.</li>
 *   <li>With the MX hosts come what DNSSEC says of them ({@link Dane}), when a zone asks for DANE and the resolver asked
 *       is on this host: DANE, where it applies, is answered before MTA-STS (RFC 8461 §2).</li>
 *   <li>{@link #reconfigure} takes new settings (SIGHUP) and keeps everything cached.</li>
 * </ul>
 */
public final class PolicyResolver implements AutoCloseable {
    private volatile ResolverConfig config;
    private final Function<Zone, Sender> senders;
    private final Clock clock;
    private final ResolverLog log;
    private final Normaliser domains;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> running = new ConcurrentHashMap<>();
    private final ExecutorService lookups;
    private final ThreadPoolExecutor background;
    private final ScheduledExecutorService timer;
    private final CacheFile file;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final Counters counters;
    private volatile ScheduledFuture<?> recheck;

    /** A key Postfix sent, as a domain name in A-labels (the command line converts U-labels, see Idna). */
    @FunctionalInterface
    public interface Normaliser {
        DomainName domain(String key) throws InvalidException;
    }

    /** What is known of one domain; replaced whole by the network work, read without locks by lookups. */
    private static final class Slot {
        volatile CachedPolicy policy;
        volatile Miss miss;
        volatile long used;
        volatile Zone zone;
    }

    public PolicyResolver(ResolverConfig config, Function<Zone, Sender> senders, Clock clock, ResolverLog log,
            Normaliser domains) {
        this.config = config;
        this.senders = senders;
        this.clock = clock;
        this.log = log;
        this.domains = domains;
        this.lookups = Executors.newCachedThreadPool(threads("mta-sts-lookup"));
        this.background = new ThreadPoolExecutor(config.concurrencyLimit(), config.concurrencyLimit(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads("mta-sts-refresh"));
        background.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("mta-sts-timer"));
        this.file = config.cacheFile() == null ? null : new CacheFile(config.cacheFile());
        this.counters = new Counters(slots::size, this::policiesCached);
    }

    public Counters counters() {
        return counters;
    }

    private int policiesCached() {
        Instant now = clock.instant();
        int n = 0;
        for (Slot s : slots.values()) {
            CachedPolicy p = s.policy;
            n += p != null && p.valid(now) ? 1 : 0;
        }
        return n;
    }

    /**
     * New settings, the cache kept: zones, timeouts, the grace period, the cache's size and the recheck apply from now
     * on; where Postfix connects and where the cache is kept only when the resolver starts again.
     */
    public void reconfigure(ResolverConfig next) {
        ResolverConfig before = config;
        config = next;
        int threads = next.concurrencyLimit();
        if (threads > background.getMaximumPoolSize()) {
            background.setMaximumPoolSize(threads);
            background.setCorePoolSize(threads);
        } else {
            background.setCorePoolSize(threads);
            background.setMaximumPoolSize(threads);
        }
        while (slots.size() > next.cacheSize()) {
            int n = slots.size();
            evictLeastRecentlyUsed(null);
            if (slots.size() == n) {
                break;
            }
        }
        if (before.proactive() != next.proactive() || !before.refreshInterval().equals(next.refreshInterval())) {
            scheduleRecheck();
        }
    }

    private void scheduleRecheck() {
        ScheduledFuture<?> old = recheck;
        if (old != null) {
            old.cancel(false);
        }
        recheck = null;
        if (config.proactive()) {
            long every = config.refreshInterval().toMillis();
            try {
                recheck = timer.scheduleAtFixedRate(this::recheckAll, every, every, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // closed
            }
        }
    }

    /**
     * Reads the cache file (refusing one that is not ours) and starts the timers: saving the cache, the periodic
     * recheck of every cached policy.
     */
    public void start() throws IOException {
        if (file != null) {
            file.checkWritable();
            Instant now = clock.instant();
            CacheFile.Loaded loaded = file.read(now);
            for (CacheFile.Saved s : loaded.policies()) {
                Slot slot = new Slot();
                slot.policy = s.policy();
                slot.used = s.used().toEpochMilli();
                slot.zone = config.defaultZone();
                slots.put(s.policy().domain(), slot);
                schedule(s.policy());
            }
            loaded.skipped().forEach(line -> log.warn("cache file: skipped " + line));
            log.info("cache file " + file.path() + ": " + loaded.policies().size() + " valid "
                    + (loaded.policies().size() == 1 ? "policy" : "policies") + " read"
                    + (loaded.expired() > 0 ? ", " + loaded.expired() + " expired left out" : ""));
            timer.scheduleWithFixedDelay(this::saveIfChanged, 1, 1, TimeUnit.SECONDS);
        } else {
            log.info("cache in memory only (cache.type internal): a restart forgets every policy");
        }
        scheduleRecheck();
    }

    /** The reply to one socketmap request, logged with the reason for it. */
    public String answer(String name, String key) {
        boolean[] fromCache = new boolean[1];
        Answer a = lookup(name, key, fromCache);
        String reply = a.reply();
        counters.lookup(fromCache[0], reply);
        log.info(name + " " + key.strip() + ": " + (reply.startsWith("TEMP ") || reply.startsWith("PERM ")
                ? reply.substring(0, 4) : reply.strip()) + " [" + a.reason() + "]");
        return reply;
    }

    /** The reply to one socketmap request, and why; never waits longer than twice the zone's timeout. */
    public Answer lookup(String name, String key) {
        return lookup(name, key, new boolean[1]);
    }

    /** {@code fromCache[0]} is set when the answer came from memory without waiting on the network. */
    private Answer lookup(String name, String key, boolean[] fromCache) {
        ResolverConfig config = this.config;
        Zone zone = config.zones().getOrDefault(name, config.defaultZone());
        String notADomain = notADomain(key);
        if (notADomain != null) {
            return Answer.notFound(notADomain);
        }
        DomainName domain;
        try {
            domain = domains.domain(withoutPort(key.strip()));
        } catch (InvalidException e) {
            return Answer.notFound("not a mail domain: " + e.getMessage());
        }
        String d = domain.value();
        Instant now = clock.instant();
        Slot slot = slot(d);
        slot.used = now.toEpochMilli();
        slot.zone = zone;
        CachedPolicy p = slot.policy;
        if (p != null && p.valid(now)) {
            if (!p.checked().plus(config.cacheGrace()).isAfter(now)) {
                start(d, refreshDue(p, now), background);
            }
            fromCache[0] = true;
            return Answer.of(p, zone, now);
        }
        Miss m = slot.miss;
        if (m != null && m.at().plus(config.cacheGrace()).isAfter(now)) {
            fromCache[0] = true;
            return Answer.of(m, now);
        }
        CompletableFuture<Void> work = start(d, false, lookups);
        long wait = zone.timeout().toMillis() * 2;
        try {
            work.get(wait, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Answer.notFound("no policy known yet: discovering " + d + "'s policy takes more than "
                    + Answer.span(Duration.ofMillis(wait)) + "; its result will be cached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.temp("the resolver is stopping");
        } catch (ExecutionException e) {
            return Answer.notFound("no policy known: " + e.getCause().getMessage());
        }
        now = clock.instant();
        p = slot.policy;
        if (p != null && p.valid(now)) {
            return Answer.of(p, zone, now);
        }
        m = slot.miss;
        return m != null ? Answer.of(m, now) : Answer.notFound("no policy known for " + d);
    }

    /** Postfix also looks up keys that are not mail domains; RFC 8461 has nothing to say about them. */
    static String notADomain(String key) {
        String k = key.strip();
        if (k.isEmpty()) {
            return "an empty key";
        }
        if (k.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            return "not a mail domain: the key holds white space or a control character";
        }
        if (k.startsWith("[")) {
            return k + " is a host given in brackets (no MX lookup): MTA-STS applies to a domain's MX hosts";
        }
        if (k.startsWith(".")) {
            return k + " is a parent-domain lookup: a policy applies to its own domain only (RFC 8461 §3.4)";
        }
        String host = withoutPort(k);
        if (host.matches("[0-9.]+") || host.indexOf(':') >= 0) {
            return k + " is an IP address, not a mail domain";
        }
        return null;
    }

    /** {@code example.com:2525} (a transport's next hop with a port) is example.com's MX hosts on another port. */
    private static String withoutPort(String k) {
        int colon = k.lastIndexOf(':');
        if (colon > 0 && colon == k.indexOf(':') && colon < k.length() - 1
                && k.substring(colon + 1).chars().allMatch(c -> c >= '0' && c <= '9')) {
            return k.substring(0, colon);
        }
        return k;
    }

    private Slot slot(String d) {
        Slot s = slots.get(d);
        if (s != null) {
            return s;
        }
        Slot fresh = new Slot();
        s = slots.putIfAbsent(d, fresh);
        if (s != null) {
            return s;
        }
        if (slots.size() > config.cacheSize()) {
            evictLeastRecentlyUsed(d);
        }
        return fresh;
    }

    /** {@code cache_size} bounds the domains remembered: the one looked up longest ago goes. */
    private void evictLeastRecentlyUsed(String keep) {
        String oldest = null;
        long when = Long.MAX_VALUE;
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            if (!e.getKey().equals(keep) && e.getValue().used < when) {
                when = e.getValue().used;
                oldest = e.getKey();
            }
        }
        if (oldest != null && slots.remove(oldest) != null) {
            dirty.set(true);
            log.debug(oldest + ": forgotten (cache_size " + config.cacheSize() + " reached)");
        }
    }

    private boolean refreshDue(CachedPolicy p, Instant now) {
        return config.proactive() && !now.isBefore(refreshTime(p));
    }

    private static Instant refreshTime(CachedPolicy p) {
        return p.fetched().plusMillis(Math.max(1000, p.policy().maxAge() * 750));
    }

    /** One piece of network work per domain at a time; later callers share the one under way. */
    private CompletableFuture<Void> start(String d, boolean fetch, ExecutorService pool) {
        CompletableFuture<Void> under = running.get(d);
        if (under != null) {
            return under;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        under = running.putIfAbsent(d, f);
        if (under != null) {
            return under;
        }
        try {
            pool.execute(() -> {
                try {
                    refresh(d, fetch);
                } catch (RuntimeException e) {
                    log.error(d + ": " + e);
                } finally {
                    running.remove(d, f);
                    f.complete(null);
                }
            });
        } catch (RejectedExecutionException stopping) {
            running.remove(d, f);
            f.complete(null);
        }
        return f;
    }

    /**
     * What a sender does for one domain (RFC 8461 §3, §5.1): ask the id; fetch the policy when nothing valid is
     * cached, when the id changed, or ({@code fetch}) when the cached one nears its expiry; resolve the MX hosts.
     */
    private void refresh(String d, boolean fetch) {
        Slot slot = slots.get(d);
        if (slot == null) {
            return;
        }
        Zone zone = slot.zone == null ? config.defaultZone() : slot.zone;
        Sender sender = senders.apply(zone);
        DomainName domain = new DomainName(d);
        Instant now = clock.instant();
        CachedPolicy cached = slot.policy;
        if (cached != null && !cached.valid(now)) {
            log.info(d + ": cached policy " + cached.id() + " expired " + Answer.ago(cached.expires(), now));
            cached = null;
        }
        Sender.Announcement a;
        try {
            a = sender.announcement(domain);
        } catch (Dns.Failure e) {
            counters.failed(Counters.Failure.DNS);
            String why = "the _mta-sts lookup failed: " + e.getMessage();
            if (cached != null) {
                slot.policy = cached.refreshFailed(now, why);
                log.warn(d + ": " + why + "; the cached policy " + cached.id() + " applies until "
                        + cached.expires() + " (RFC 8461 §5.1)");
            } else {
                slot.miss = new Miss(why, true, now);
                log.warn(d + ": " + why + "; nothing cached");
            }
            return;
        }
        if (a.record().isEmpty()) {
            if (cached != null) {
                slot.policy = cached.refreshFailed(now, "no policy announced now: " + a.problem());
                log.warn(d + ": no policy announced now (" + a.problem() + "); the cached policy " + cached.id()
                        + " applies until " + cached.expires() + " (RFC 8461 §5.1)");
            } else {
                slot.policy = null;
                slot.miss = new Miss("no MTA-STS policy: " + a.problem(), false, now);
                log.debug(d + ": no MTA-STS policy: " + a.problem());
            }
            return;
        }
        String id = a.record().get().id();
        boolean dane = daneWanted() && sender.dns().onThisHost();
        if (cached != null && id.equals(cached.id()) && !fetch) {
            slot.policy = cached.rechecked(now, mxHosts(askMx(sender, domain, dane), domain, cached.policy(), cached.mx(),
                    now));
            dirty.set(true);
            log.debug(d + ": id " + id + " unchanged, policy not fetched");
            return;
        }
        // the MX hosts are asked while the policy is fetched: a cold lookup waits for the longer of the two
        CompletableFuture<MxFound> mxRecords = askMx(sender, domain, dane);
        String failure;
        Policy policy = null;
        String took = "";
        counters.fetch();
        try {
            Sender.Fetched f = sender.fetch(domain);
            policy = f.policy();
            failure = policy == null ? String.join("; ", f.problems()) : null;
            if (policy == null) {
                counters.failed(f.result().answer().problems().isEmpty() ? Counters.Failure.INVALID : Counters.Failure.HTTP);
            }
            PolicyFetch.Timings t = f.result().timings();
            took = " in " + (f.dnsMillis() + t.total()) + " ms (DNS " + f.dnsMillis() + ", connect " + t.connect()
                    + ", TLS " + t.tls() + ", answer " + t.firstByte() + ")";
        } catch (Dns.Failure e) {
            counters.failed(Counters.Failure.DNS);
            failure = e.getMessage();
        } catch (PolicyFetch.Failure e) {
            counters.failed(switch (e.phase()) {
                case "resolve" -> Counters.Failure.DNS;
                case "connect" -> Counters.Failure.CONNECT;
                case "tls" -> Counters.Failure.TLS;
                default -> Counters.Failure.HTTP;
            });
            failure = e.getMessage();
        }
        Instant fetched = clock.instant();
        String what = cached == null ? "policy " + id : id.equals(cached.id()) ? "policy " + id + " (again, before it"
                + " expires)" : "policy " + id + " (the id changed from " + cached.id() + ")";
        if (failure != null) {
            String why = "fetching " + what + " failed: " + failure;
            if (cached != null) {
                slot.policy = cached.refreshFailed(fetched, why);
                log.warn(d + ": " + why + "; the cached policy " + cached.id() + " applies until " + cached.expires()
                        + " (RFC 8461 §5.1)");
            } else {
                slot.miss = new Miss(why, true, fetched);
                log.warn(d + ": " + why + "; nothing cached, so no policy applies");
            }
            return;
        }
        MxHosts mx = policy.mode() == Mode.NONE ? MxHosts.notNeeded(fetched) : mxHosts(mxRecords, domain, policy, null, fetched);
        CachedPolicy fresh = new CachedPolicy(d, id, policy, fetched, fetched, mx, null);
        slot.policy = fresh;
        slot.miss = null;
        dirty.set(true);
        schedule(fresh);
        log.info(d + ": fetched " + what + took + ": mode " + policy.mode() + ", max_age " + policy.maxAge() + ", mx "
                + policy.mx().stream().map(Object::toString).toList() + (policy.mode() == Mode.NONE ? ""
                : "; MX hosts matching " + mx.matching() + (mx.others().isEmpty() ? "" : ", not matching " + mx.others())
                + (mx.problem() == null ? "" : " (" + mx.problem() + ")")
                + (mx.dane() == null ? "" : mx.dane().applies() ? "; DANE: " + mx.dane().why() : "; no DANE: "
                + mx.dane().why())));
    }

    /** Some zone answers DANE first: the TLSA records of validated MX hosts are worth asking. */
    private boolean daneWanted() {
        return config.daneWanted();
    }

    /** An MX answer, and what DNSSEC says of its hosts (null when not asked). */
    private record MxFound(Dns.Answer<Dns.Mx> mx, Dane dane) {
    }

    /** The MX records and, with {@code dane}, the TLSA records of their hosts when DNSSEC validated the MX records. */
    private CompletableFuture<MxFound> askMx(Sender sender, DomainName domain, boolean dane) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    Dns.Answer<Dns.Mx> mx = sender.dns().mx(domain.value());
                    List<String> hosts = MxHosts.hosts(domain.value(), mx.records());
                    return new MxFound(mx, dane && !hosts.isEmpty() ? Dane.check(sender.dns(), mx, hosts) : null);
                } catch (Dns.Failure e) {
                    throw new CompletionException(e);
                }
            }, lookups);
        } catch (RejectedExecutionException stopping) {
            return CompletableFuture.failedFuture(stopping);
        }
    }

    /** The MX hosts now; when DNS fails, those found before, if any. */
    private MxHosts mxHosts(CompletableFuture<MxFound> records, DomainName domain, Policy policy, MxHosts before,
            Instant now) {
        try {
            MxFound found = records.join();
            return MxHosts.of(domain.value(), found.mx().records(), policy, now, found.dane());
        } catch (CompletionException e) {
            String why = e.getCause() instanceof Dns.Failure f ? f.getMessage() : String.valueOf(e.getCause());
            if (before != null && before.problem() == null) {
                log.warn(domain + ": the MX lookup failed (" + why + "); keeping the MX hosts found "
                        + Answer.ago(before.resolved(), now));
                return before;
            }
            return MxHosts.unknown("the MX lookup failed: " + why, now);
        }
    }

    /**
     * Three quarters into its max_age a policy still in use is fetched again; at its expiry a policy not refreshed is
     * forgotten.
     */
    private void schedule(CachedPolicy p) {
        Instant now = clock.instant();
        try {
            if (config.proactive()) {
                timer.schedule(() -> refreshIfInUse(p), Math.max(0, Duration.between(now, refreshTime(p)).toMillis()),
                        TimeUnit.MILLISECONDS);
            }
            timer.schedule(() -> forgetIfExpired(p), Math.max(0, Duration.between(now, p.expires()).toMillis()) + 1,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // closed: nothing more to do
        }
    }

    private void refreshIfInUse(CachedPolicy p) {
        Slot slot = slots.get(p.domain());
        CachedPolicy now = slot == null ? null : slot.policy;
        if (now == null || !now.fetched().equals(p.fetched())) {
            return; // replaced since
        }
        if (slot.used > p.fetched().toEpochMilli()) {
            log.debug(p.domain() + ": policy " + p.id() + " in use and three quarters through its max_age: fetching it again");
            start(p.domain(), true, background);
        } else {
            log.debug(p.domain() + ": policy " + p.id() + " not looked up since it was fetched: left to expire at "
                    + p.expires());
        }
    }

    private void forgetIfExpired(CachedPolicy p) {
        Slot slot = slots.get(p.domain());
        if (slot != null && slot.policy != null && slot.policy.fetched().equals(p.fetched())
                && !slot.policy.valid(clock.instant())) {
            slot.policy = null;
            dirty.set(true);
            if (slot.miss == null) {
                slots.remove(p.domain(), slot);
            }
            log.debug(p.domain() + ": policy " + p.id() + " expired and forgotten");
        }
    }

    /** proactive_policy_fetching.interval: every cached policy's id asked again, mail or not. */
    private void recheckAll() {
        Instant now = clock.instant();
        Duration skip = Duration.ofMillis((long) (config.refreshInterval().toMillis() / config.graceRatio()));
        int started = 0;
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            CachedPolicy p = e.getValue().policy;
            if (p != null && p.valid(now) && !p.checked().plus(skip).isAfter(now)) {
                start(e.getKey(), refreshDue(p, now), background);
                started++;
            }
        }
        if (started > 0) {
            log.info("rechecking " + started + " cached " + (started == 1 ? "policy" : "policies"));
        }
    }

    private void saveIfChanged() {
        if (file == null || !dirty.getAndSet(false)) {
            return;
        }
        Instant now = clock.instant();
        List<CacheFile.Saved> valid = new ArrayList<>();
        for (Slot s : slots.values()) {
            CachedPolicy p = s.policy;
            if (p != null && p.valid(now)) {
                valid.add(new CacheFile.Saved(p, Instant.ofEpochMilli(s.used)));
            }
        }
        try {
            file.write(valid);
        } catch (IOException e) {
            dirty.set(true);
            log.error("cannot write the cache file " + file.path() + ": " + e.getMessage());
        }
    }

    /** Domains remembered (with a policy or a reason for none). */
    public int size() {
        return slots.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        background.shutdownNow();
        lookups.shutdownNow();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
            lookups.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dirty.set(true);
        saveIfChanged();
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
