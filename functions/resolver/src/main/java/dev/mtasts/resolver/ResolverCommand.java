package dev.mtasts.resolver;

import dev.mtasts.sender.Dns;
import dev.mtasts.sender.Sender;
import dev.mtasts.sender.Trust;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

@Command(name = "resolver", mixinStandardHelpOptions = true,
        description = {"MTA-STS for your outgoing mail: a TLS policy server for Postfix (socketmap protocol), as "
                + "postfix-mta-sts-resolver is, reading the same configuration file.",
            "For a domain with an enforce policy it answers \"secure match=<the domain's MX hosts that the policy "
                + "allows> servername=hostname\", or \"dane-only\" where DNSSEC-validated TLSA records cover its MX "
                + "hosts and Postfix looks DNSSEC up (DANE before MTA-STS); for testing (unless strict_testing), none or no policy, nothing, so "
                + "Postfix's own settings apply. Policies are cached for their max_age in a file that survives "
                + "restarts, rechecked by their id and refreshed in the background, so that lookups are answered from "
                + "memory. Every answer is logged with its reason on standard error (the journal under systemd).",
            "SIGHUP reads the configuration file again and keeps the cache; SIGUSR1 writes the counters in the log"
                + " (with \"metrics: HOST:PORT\", Prometheus scrapes them at /metrics).",
            "In main.cf: smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix",
            "Check: postmap -q example.com socketmap:inet:127.0.0.1:8461:postfix"})
public final class ResolverCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT|PATH",
            description = "Where Postfix connects: host and port, or the path of a UNIX socket (default: host and port"
                    + " of the configuration file, else 127.0.0.1:8461).")
    String listen;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "A YAML file with the keys of postfix-mta-sts-resolver's mta-sts-daemon.yml (default: every"
                    + " setting at its default).")
    Path config;

    @Option(names = "--check-config",
            description = "Check the configuration as a start would (the file, the cache file, --ca-file, "
                    + "--dns-server, Postfix's main.cf for DANE), say what it sets, and exit: 0 when the resolver would start with it, 1 when the "
                    + "file is invalid, 2 when something else stops it. Nothing is written.")
    boolean checkConfig;

    @Option(names = "--postfix-config", paramLabel = "DIR", defaultValue = "/etc/postfix",
            description = "The configuration directory of the Postfix that asks: DANE is answered only where its "
                    + "main.cf says smtp_dns_support_level = dnssec, or where postconf cannot read one (default: "
                    + "${DEFAULT-VALUE}).")
    Path postfixConfig;

    @Mixin
    SenderOptions senderOptions;

    @Option(names = {"-v", "--verbosity"}, paramLabel = "LEVEL", defaultValue = "info",
            description = "Log level: debug, info (every answer and why), warn or error (default: ${DEFAULT-VALUE}).")
    String verbosity;

    @Spec
    CommandSpec spec;

    /** Counted down once the resolver answers; lets tests wait for it. */
    public final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Where it listens once started (the port chosen when 0 was asked). */
    public volatile ResolverConfig.Listen bound;
    /** Where the counters are served once started, when {@code metrics} is set (the port chosen when 0 was asked). */
    public volatile int metricsPort;

    private volatile ResolverConfig current;
    private volatile PolicyResolver resolver;
    private volatile SocketmapServer server;
    private volatile ResolverLog log;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        ResolverLog.Level level;
        try {
            level = ResolverLog.Level.parse(verbosity);
        } catch (IllegalArgumentException e) {
            err.println("mta-sts: --verbosity: " + e.getMessage());
            return Main.ERROR;
        }
        ResolverConfig cfg;
        try {
            cfg = config == null ? ResolverConfig.defaults() : ResolverConfig.read(config);
        } catch (NoSuchFileException e) {
            err.println("mta-sts: " + config + ": no such file");
            return Main.ERROR;
        } catch (ResolverConfig.ConfigException e) {
            err.println("mta-sts: " + e.getMessage());
            return Main.INVALID;
        }
        ResolverConfig.Listen where = cfg.listen();
        if (listen != null) {
            try {
                where = ResolverConfig.Listen.parse(listen);
            } catch (IllegalArgumentException e) {
                err.println("mta-sts: --listen " + e.getMessage());
                return Main.ERROR;
            }
        }
        Trust trust;
        Dns probe;
        try {
            trust = senderOptions.trust();
            probe = senderOptions.dns(Zone.DEFAULT_TIMEOUT); // a --dns-server that is not one is said now, not at the first lookup
        } catch (SenderOptions.Unusable e) {
            err.println("mta-sts: " + e.getMessage());
            return Main.ERROR;
        }
        if (checkConfig) {
            return check(cfg, where, probe, spec.commandLine().getOut(), err);
        }
        ResolverLog log = new ResolverLog(err, level, Clock.systemUTC());
        this.log = log;
        String daneOff = daneOff(cfg, probe);
        ResolverConfig file = cfg;
        cfg = daneOff == null ? cfg : cfg.withoutDane();
        // one sender per timeout: a zone's timeout bounds each DNS question and the whole fetch
        Map<Duration, Sender> senders = new ConcurrentHashMap<>();
        PolicyResolver resolver = new PolicyResolver(cfg, zone -> senders.computeIfAbsent(zone.timeout(),
                t -> senderOptions.sender(trust, dns(t), t)), Clock.systemUTC(), log,
                Keys::domain);
        try {
            cfg.notes().forEach(log::info);
            resolver.start();
        } catch (IOException e) {
            err.println("mta-sts: " + e.getMessage());
            resolver.close();
            return Main.ERROR;
        }
        if (daneOff != null) {
            log.warn(daneOff);
        }
        String heap = heapWarning(cfg.cacheSize(), Runtime.getRuntime().maxMemory());
        if (heap != null) {
            log.warn(heap);
        }
        SocketmapServer server;
        try {
            server = SocketmapServer.start(where, cfg.reusePort(),
                    new SocketmapServer.Timeouts(cfg.idleTimeout(), cfg.requestTimeout()), resolver::answer, log);
        } catch (java.net.BindException e) {
            err.println("mta-sts: cannot listen on " + where + ": " + e.getMessage().toLowerCase(java.util.Locale.ROOT)
                    + " (another resolver running? choose another with --listen)");
            resolver.close();
            return Main.ERROR;
        } catch (IOException e) {
            err.println("mta-sts: cannot listen on " + where + ": " + e.getMessage());
            resolver.close();
            return Main.ERROR;
        }
        MetricsEndpoint metrics = null;
        if (cfg.metrics() != null) {
            try {
                metrics = MetricsEndpoint.start(cfg.metrics(), resolver.counters());
            } catch (IOException e) {
                err.println("mta-sts: metrics: cannot listen on " + cfg.metrics() + ": " + e.getMessage());
                server.close();
                resolver.close();
                return Main.ERROR;
            }
            metricsPort = metrics.port();
            log.info("counters for Prometheus on http://" + cfg.metrics().toString().replaceAll(":\\d+$", "") + ":"
                    + metricsPort + MetricsEndpoint.PATH);
        }
        this.current = file;
        this.resolver = resolver;
        this.server = server;
        // the signals are taken before the line that says the resolver is ready: a reload sent upon it is not lost
        Thread hook = new Thread(() -> {
            stop.countDown();
            awaitQuietly(stopped, current.shutdownTimeout().plusSeconds(10)); // as reloaded
        }, "mta-sts-resolver-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        SignalHandler hup = handle("HUP", s -> reload());
        SignalHandler usr1 = handle("USR1", s -> log.info(resolver.counters().line()));
        bound = server.listen();
        log.info("answering Postfix on " + bound + "; in main.cf: smtp_tls_policy_maps = "
                + bound.postfixTable("postfix") + (cfg.zones().isEmpty() ? "" : " (zones: "
                + String.join(", ", cfg.zones().keySet()) + "; any other name gets default_zone)"));
        started.countDown();
        try {
            stop.await();
            log.info("stopping");
            restore("HUP", hup);
            restore("USR1", usr1);
            server.close(current.shutdownTimeout());
            if (metrics != null) {
                metrics.close();
            }
            resolver.close();
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us
            }
        }
        return Main.OK;
    }

    /**
     * SIGHUP: the configuration file read again, the cache kept. An invalid file changes nothing: the line says why
     * and the settings in use stay.
     */
    public void reload() {
        ResolverLog log = this.log;
        PolicyResolver resolver = this.resolver;
        if (log == null || resolver == null) {
            return;
        }
        if (config == null) {
            log.info("reload: no configuration file (--config), so nothing to read again");
            return;
        }
        ResolverConfig next;
        try {
            next = ResolverConfig.read(config);
        } catch (NoSuchFileException e) {
            log.error("reload: " + config + ": no such file; the configuration in use is kept");
            return;
        } catch (ResolverConfig.ConfigException e) {
            log.error("reload: " + e.getMessage() + "; the configuration in use is kept");
            return;
        } catch (IOException | RuntimeException e) {
            log.error("reload: " + config + ": " + e.getMessage() + "; the configuration in use is kept");
            return;
        }
        List<String> later = new ArrayList<>(current.restartOnly(next));
        if (listen != null) {
            later.removeIf(k -> k.equals("host, port") || k.equals("path")); // --listen decides
        }
        String daneOff = daneOff(next, dns(Zone.DEFAULT_TIMEOUT));
        resolver.reconfigure(daneOff == null ? next : next.withoutDane());
        server.timeouts(new SocketmapServer.Timeouts(next.idleTimeout(), next.requestTimeout()));
        current = next;
        next.notes().forEach(log::info);
        log.info("configuration reloaded from " + config + ", the cache kept (" + resolver.size() + " domains)"
                + (later.isEmpty() ? "" : "; " + String.join(", ", later) + " changed: in use from the next start"));
        if (daneOff != null) {
            log.warn(daneOff);
        }
        String heap = heapWarning(next.cacheSize(), Runtime.getRuntime().maxMemory());
        if (heap != null) {
            log.warn(heap);
        }
    }

    /** About what one remembered domain takes of the heap, its entry included (CacheHeapTest measures under it). */
    static final long BYTES_PER_DOMAIN = 1024;

    /**
     * Why {@code cache_size} may not fit in the heap, or null. A cache that fills the heap ends the resolver (the unit
     * exits on running out of memory) and, at each restart, loads the same file again: Postfix defers mail meanwhile.
     */
    static String heapWarning(int cacheSize, long maxHeap) {
        long need = cacheSize * BYTES_PER_DOMAIN;
        if (need <= maxHeap / 2) {
            return null;
        }
        return "cache_size " + cacheSize + " may take about " + need / (1024 * 1024) + " MB when full, more than half of"
                + " the " + maxHeap / (1024 * 1024) + " MB heap this JVM may use: raise -Xmx in the unit's ExecStart"
                + " (about 2 MB for each 1,000 domains) or lower cache_size";
    }

    /**
     * Why DANE answers are off though a zone asks for them, or null: the AD bit means something only from a resolver on
     * this host, and Postfix acts on a dane-only answer only with smtp_dns_support_level = dnssec (else it defers the
     * mail).
     */
    private String daneOff(ResolverConfig cfg, Dns dns) {
        return daneOff(cfg, dns, cfg.daneWanted() && dns.onThisHost() ? PostfixDns.read(postfixConfig) : null);
    }

    /** The same with Postfix's settings already read ({@code postconf} takes a second or two). */
    private static String daneOff(ResolverConfig cfg, Dns dns, PostfixDns postfix) {
        if (!cfg.daneWanted()) {
            return null;
        }
        if (!dns.onThisHost()) {
            return "DANE answers are off: the DNS server asked (" + String.join(", ", dns.servers()) + ") is not on this"
                    + " host, and its AD bit could be forged on the way; run a validating resolver on 127.0.0.1, as"
                    + " Postfix's smtp_dns_support_level = dnssec needs (or set dane: false)";
        }
        if (postfix.known() && !postfix.dnssec()) {
            return "DANE answers are off: " + postfix.why() + ", and Postfix defers the mail it is told dane-only for"
                    + " unless that is dnssec; set smtp_dns_support_level = dnssec there, then systemctl reload"
                    + " mta-sts-resolver (or set dane: false)";
        }
        if (postfix.known() && postfix.problem() != null) {
            return "DANE answers are off: " + postfix.problem() + ", with which Postfix finds dane-only invalid and"
                    + " defers the mail; change it there, then systemctl reload mta-sts-resolver (or set dane: false)";
        }
        return null;
    }

    /** {@code --check-config}: what a start would find, written on standard output. */
    private Integer check(ResolverConfig cfg, ResolverConfig.Listen where, Dns dns, PrintWriter out, PrintWriter err) {
        String cache;
        if (cfg.cacheFile() == null) {
            cache = "in memory only (cache.type internal)";
        } else {
            try {
                cache = cfg.cacheFile() + ": " + new CacheFile(cfg.cacheFile()).check(java.time.Instant.now());
            } catch (IOException e) {
                err.println("mta-sts: " + e.getMessage());
                return Main.ERROR;
            }
        }
        out.println((config == null ? "(no --config: every setting at its default)" : config.toString())
                + ": the resolver would start with it");
        out.println("  listen   " + where + " (smtp_tls_policy_maps = " + where.postfixTable("postfix") + ")");
        out.println("  cache    " + cache + ", at most " + cfg.cacheSize() + " domains");
        String heap = heapWarning(cfg.cacheSize(), Runtime.getRuntime().maxMemory());
        if (heap != null) {
            out.println("  warning  " + heap);
        }
        out.println("  zones    " + zone(cfg.defaultZone()));
        cfg.zones().values().forEach(z -> out.println("           " + zone(z)));
        PostfixDns postfix = cfg.daneWanted() && dns.onThisHost() ? PostfixDns.read(postfixConfig) : null;
        String daneOff = daneOff(cfg, dns, postfix);
        out.println("  DNS      " + String.join(", ", dns.servers()) + (!dns.onThisHost() && daneOff != null ? "; "
                + daneOff : dns.onThisHost() ? " (on this host: its AD bit is trusted for DANE)" : ""));
        if (postfix != null) {
            out.println("  Postfix  " + (daneOff != null ? daneOff : postfix.dnssec() ? postfix.why() + " (DANE answers"
                    + " work)" : "not read (" + postfix.why() + "): DANE answers assume smtp_dns_support_level = dnssec"
                    + " in the main.cf of the Postfix that asks"));
        }
        out.println("  metrics  " + (cfg.metrics() == null ? "off" : "http://" + cfg.metrics() + MetricsEndpoint.PATH));
        cfg.notes().forEach(n -> out.println("  note     " + n));
        out.flush();
        return Main.OK;
    }

    private static String zone(Zone z) {
        return z.name() + ": timeout " + SocketmapServer.shown(z.timeout()) + ", strict_testing " + z.strictTesting()
                + ", require_sni " + z.requireSni() + ", tlsrpt " + z.tlsrpt() + ", dane " + z.dane();
    }

    /** Installs a handler; returns the one it replaces (null where the signal cannot be handled here). */
    private SignalHandler handle(String name, SignalHandler handler) {
        try {
            SignalHandler before = Signal.handle(new Signal(name), s -> {
                try {
                    handler.handle(s);
                } catch (RuntimeException e) {
                    log.error("SIG" + name + ": " + e);
                }
            });
            if (before == SignalHandler.SIG_IGN && name.equals("HUP")) {
                // started with SIGHUP ignored (nohup): the JVM then leaves it ignored, and a reload would do nothing
                log.warn("SIGHUP is ignored (the resolver was started with it ignored, as nohup does): systemctl reload"
                        + " will not read the configuration again; restart the resolver instead");
            }
            return before;
        } catch (IllegalArgumentException unavailable) {
            // e.g. SIGHUP ignored by whoever started the resolver (nohup): a reload would then silently do nothing
            log.warn("SIG" + name + " cannot be handled (" + unavailable.getMessage() + "): "
                    + (name.equals("HUP") ? "systemctl reload will not read the configuration again"
                    : "the counters will not be written on kill -USR1") + "; restart the resolver instead");
            return null;
        }
    }

    private static void restore(String name, SignalHandler previous) {
        if (previous != null) {
            Signal.handle(new Signal(name), previous);
        }
    }

    private Dns dns(Duration timeout) {
        try {
            return senderOptions.dns(timeout);
        } catch (SenderOptions.Unusable e) {
            throw new IllegalStateException(e.getMessage()); // checked at the start
        }
    }

    /** Stops a running resolver (what SIGTERM does). */
    public void stop() {
        stop.countDown();
    }

    /** Waits until a stopped resolver has saved its cache. */
    public boolean awaitStopped(Duration limit) {
        return awaitQuietly(stopped, limit);
    }

    private static boolean awaitQuietly(CountDownLatch latch, Duration limit) {
        try {
            return latch.await(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
