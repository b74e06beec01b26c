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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "resolver", mixinStandardHelpOptions = true,
        description = {"MTA-STS for your outgoing mail: a TLS policy server for Postfix (socketmap protocol), as "
                + "postfix-mta-sts-resolver is, reading the same configuration file.",
            "For a domain with an enforce policy it answers \"secure match=<the domain's MX hosts that the policy "
                + "allows> servername=hostname\"; for testing (unless strict_testing), none or no policy, nothing, so "
                + "Postfix's own settings apply. Policies are cached for their max_age in a file that survives "
                + "restarts, rechecked by their id and refreshed in the background, so that lookups are answered from "
                + "memory. Every answer is logged with its reason on standard error (the journal under systemd).",
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
        try {
            trust = senderOptions.trust();
            senderOptions.dns(Zone.DEFAULT_TIMEOUT); // a --dns-server that is not one is said now, not at the first lookup
        } catch (SenderOptions.Unusable e) {
            err.println("mta-sts: " + e.getMessage());
            return Main.ERROR;
        }
        ResolverLog log = new ResolverLog(err, level, Clock.systemUTC());
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
        bound = server.listen();
        log.info("answering Postfix on " + bound + "; in main.cf: smtp_tls_policy_maps = "
                + bound.postfixTable("postfix") + (cfg.zones().isEmpty() ? "" : " (zones: "
                + String.join(", ", cfg.zones().keySet()) + "; any other name gets default_zone)"));
        Thread hook = new Thread(() -> {
            stop.countDown();
            awaitQuietly(stopped, cfg.shutdownTimeout().plusSeconds(10));
        }, "mta-sts-resolver-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        started.countDown();
        try {
            stop.await();
            log.info("stopping");
            server.close(cfg.shutdownTimeout());
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
