package dev.mtasts.resolver;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Postfix's socketmap protocol (socketmap_table(5)) over TCP or a UNIX socket: each request a netstring
 * {@code name key}, each reply a netstring {@code OK data}, {@code NOTFOUND }, {@code TEMP reason} or
 * {@code PERM reason}; a connection carries as many requests as the client sends, one after the other.
 *
 * <p>Any local user can connect, so no client can hold the server up: a connection that waits longer than the idle
 * timeout for its next request is closed (Postfix closes its own after 10 s idle and retries a lookup once on a
 * connection found closed), a request must arrive whole, and a reply be taken, within the request timeout of its
 * first byte, and at {@link #MAX_CONNECTIONS} the connection that has waited longest for a request is closed so that
 * a new one is always taken.
 */
public final class SocketmapServer implements AutoCloseable {
    /** Longer than any {@code name domain} request; a longer netstring is refused before it is read. */
    static final int MAX_REQUEST = 4096;
    /** Postfix opens one connection per SMTP client process (default_process_limit 100); far more is a runaway. */
    static final int MAX_CONNECTIONS = 2000;
    /** At most one line this often about connections closed at the limit, with how many since the last line. */
    private static final long LIMIT_LINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The reply text for one request. */
    @FunctionalInterface
    public interface Handler {
        String answer(String name, String key);
    }

    /**
     * @param idle how long a connection may wait for its next request
     * @param request how long a request may take to arrive whole from its first byte, and a reply to be taken
     */
    public record Timeouts(Duration idle, Duration request) {
        public Timeouts {
            if (idle.isNegative() || idle.isZero() || request.isNegative() || request.isZero()) {
                throw new IllegalArgumentException("timeouts must be more than 0");
            }
        }
    }

    /** What a connection is doing; each state but {@code ANSWERING} has a time limit. */
    private enum State {
        /** Between requests: closed after the idle timeout. */
        WAITING,
        /** A request has begun: closed unless it is whole within the request timeout. */
        READING,
        /** The handler is working on the answer (bounded by the zone's timeout). */
        ANSWERING,
        /** The reply is being written: closed unless the client takes it within the request timeout. */
        REPLYING
    }

    private final ServerSocketChannel server;
    private final ResolverConfig.Listen listen;
    private volatile Timeouts timeouts;
    private final Handler handler;
    private final ResolverLog log;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();
    private final Thread acceptor;
    private final Thread watchdog;
    private volatile boolean closing;
    /** When the acceptor last logged the limit, and what it has not logged since (its thread only). */
    private long limitLineAt = System.nanoTime() - LIMIT_LINE_NANOS;
    private int limitUnlogged;

    private SocketmapServer(ServerSocketChannel server, ResolverConfig.Listen listen, Timeouts timeouts,
            Handler handler, ResolverLog log) {
        this.server = server;
        this.listen = listen;
        this.timeouts = timeouts;
        this.handler = handler;
        this.log = log;
        this.acceptor = new Thread(this::accept, "socketmap-accept");
        acceptor.setDaemon(true);
        this.watchdog = new Thread(this::watch, "socketmap-timeouts");
        watchdog.setDaemon(true);
    }

    /** Binds and starts answering. */
    public static SocketmapServer start(ResolverConfig.Listen listen, boolean reusePort, Timeouts timeouts,
            Handler handler, ResolverLog log) throws IOException {
        ServerSocketChannel ch;
        ResolverConfig.Listen bound;
        if (listen.path() != null) {
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            if (Files.exists(listen.path()) && !Files.isRegularFile(listen.path()) && !Files.isDirectory(listen.path())) {
                Files.delete(listen.path()); // the socket a previous run left behind
            }
            Files.createDirectories(listen.path().toAbsolutePath().getParent());
            ch.bind(UnixDomainSocketAddress.of(listen.path()), 128);
            if (listen.mode() != null) {
                Files.setPosixFilePermissions(listen.path(), listen.mode());
            }
            bound = listen;
        } else {
            ch = ServerSocketChannel.open();
            if (reusePort && ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            try {
                ch.bind(new InetSocketAddress(listen.host(), listen.port()), 128);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            bound = new ResolverConfig.Listen(listen.host(), port, null, null);
        }
        SocketmapServer s = new SocketmapServer(ch, bound, timeouts, handler, log);
        s.acceptor.start();
        s.watchdog.start();
        return s;
    }

    /** New timeouts (a reloaded configuration), for the connections open and those to come. */
    public void timeouts(Timeouts next) {
        timeouts = next;
    }

    /** Where it listens, with the port chosen when 0 was asked. */
    public ResolverConfig.Listen listen() {
        return listen;
    }

    private void accept() {
        while (!closing) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closing) {
                    return;
                }
                log.warn("socketmap: accepting a connection failed: " + e.getMessage());
                continue;
            }
            if (open.size() >= MAX_CONNECTIONS && !makeRoom()) {
                closeQuietly(ch);
                continue;
            }
            Connection c = new Connection(ch, counter.incrementAndGet());
            open.add(c);
            Thread t = new Thread(c, "socketmap-" + c.number);
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * At the limit, closes the connection that has waited longest for a request (or for the rest of one), so that a
     * client holding connections open cannot keep Postfix out; false when every connection is being answered.
     */
    private boolean makeRoom() {
        Connection longest = null;
        for (Connection c : open) {
            if (!c.busy() && (longest == null || c.since - longest.since < 0)) {
                longest = c;
            }
        }
        long now = System.nanoTime();
        String line;
        if (longest == null) {
            line = "socketmap: " + MAX_CONNECTIONS + " connections open, each with a lookup under way: refusing a new one";
        } else {
            line = "socketmap: " + MAX_CONNECTIONS + " connections open (the most kept): closed connection "
                    + longest.number + ", " + (longest.state == State.READING ? "in the middle of a request" : "waiting")
                    + " for " + Answer.span(Duration.ofNanos(now - longest.since)) + ", to take a new one";
        }
        if (now - limitLineAt >= LIMIT_LINE_NANOS) {
            log.warn(line + (limitUnlogged == 0 ? "" : " (" + limitUnlogged + " more since the last such line)"));
            limitLineAt = now;
            limitUnlogged = 0;
        } else {
            limitUnlogged++;
        }
        if (longest != null) {
            longest.closeFor("the limit");
        }
        return longest != null;
    }

    /** Closes the connections that have run out of time, checking a few times per the shorter timeout. */
    private void watch() {
        while (!closing) {
            Timeouts timeouts = this.timeouts;
            long idle = timeouts.idle().toNanos();
            long request = timeouts.request().toNanos();
            long tick = Math.max(10, Math.min(1000, Math.min(idle, request) / 4_000_000));
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Connection c : open) {
                State state = c.state; // read before since, which is written before it
                long waited = now - c.since;
                if (state == State.WAITING && waited > idle) {
                    // said before the connection closes, so that whoever sees it closed finds the line
                    log.debug("socketmap: connection " + c.number + " closed after no request for "
                            + shown(timeouts.idle()) + " (idle_timeout; a client opens a new one when it needs it)");
                    c.closeFor("idle");
                } else if (state == State.READING && waited > request) {
                    log.warn("socketmap: connection " + c.number + " closed: its request did not arrive whole within "
                            + shown(timeouts.request()) + " (request_timeout)");
                    c.closeFor("half a request");
                } else if (state == State.REPLYING && waited > request) {
                    log.warn("socketmap: connection " + c.number + " closed: it did not take its reply within "
                            + shown(timeouts.request()) + " (request_timeout)");
                    c.closeFor("reply not taken");
                }
                // ANSWERING: bounded by the zone's timeout
            }
        }
    }

    private final class Connection implements Runnable {
        final SocketChannel ch;
        final int number;
        /** When the current state began (System.nanoTime); written before {@link #state}. */
        volatile long since = System.nanoTime();
        volatile State state = State.WAITING;
        /** Set when the server closed the connection, which then has nothing more to log. */
        volatile String closedFor;

        Connection(SocketChannel ch, int number) {
            this.ch = ch;
            this.number = number;
        }

        void enter(State next) {
            since = System.nanoTime();
            state = next;
        }

        boolean busy() {
            State s = state;
            return s == State.ANSWERING || s == State.REPLYING;
        }

        /** Closes it from another thread; it no longer counts as open, and its own thread says nothing more. */
        void closeFor(String why) {
            closedFor = why;
            open.remove(this);
            closeQuietly(ch);
        }

        @Override
        public void run() {
            try {
                if (listen.path() == null) {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 512);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 512);
                while (!closing) {
                    int first = in.read();
                    if (first < 0) {
                        break;
                    }
                    enter(State.READING);
                    byte[] request = Netstring.read(first, in, MAX_REQUEST);
                    enter(State.ANSWERING);
                    String text = new String(request, StandardCharsets.UTF_8);
                    int space = text.indexOf(' ');
                    String reply = space <= 0
                            ? "PERM the request must be \"name key\" (socketmap_table(5))"
                            : handler.answer(text.substring(0, space), text.substring(space + 1));
                    enter(State.REPLYING);
                    Netstring.write(out, reply);
                    enter(State.WAITING);
                }
            } catch (Netstring.Malformed e) {
                if (closedFor == null) {
                    log.warn("socketmap: closing a connection that sent " + e.getMessage());
                }
            } catch (IOException e) {
                if (!closing && closedFor == null) {
                    log.debug("socketmap: connection " + number + " ended: " + e.getMessage());
                }
            } finally {
                enter(State.WAITING);
                closeQuietly(ch);
                open.remove(this);
            }
        }
    }

    /**
     * Stops accepting, closes idle connections at once and gives those in the middle of a request up to
     * {@code grace} to answer it (postfix-mta-sts-resolver's {@code shutdown_timeout}).
     */
    public void close(Duration grace) {
        closing = true;
        closeQuietly(server);
        if (listen.path() != null) {
            try {
                Files.deleteIfExists(listen.path());
            } catch (IOException ignored) {
                // a socket file left behind is removed by the next start
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (true) {
            for (Connection c : open) {
                if (!c.busy()) {
                    c.closeFor("stopping");
                }
            }
            if (open.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        open.forEach(c -> closeQuietly(c.ch));
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /** A timeout as the configuration gives it: {@code 0.5 s}, {@code 60 s}, {@code 5 min}. */
    static String shown(Duration d) {
        long ms = d.toMillis();
        return ms < 120_000 && ms % 1000 != 0
                ? java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + " s" : Answer.span(d);
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
