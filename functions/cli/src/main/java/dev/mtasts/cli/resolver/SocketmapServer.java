package dev.mtasts.cli.resolver;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Postfix's socketmap protocol (socketmap_table(5)) over TCP or a UNIX socket: each request a netstring
 * {@code name key}, each reply a netstring {@code OK data}, {@code NOTFOUND }, {@code TEMP reason} or
 * {@code PERM reason}; a connection carries as many requests as the client sends, one after the other.
 */
public final class SocketmapServer implements AutoCloseable {
    /** Longer than any {@code name domain} request; a longer netstring is refused before it is read. */
    static final int MAX_REQUEST = 4096;
    /** Postfix opens one connection per SMTP client process (default_process_limit 100); far more is a runaway. */
    static final int MAX_CONNECTIONS = 2000;

    /** The reply text for one request. */
    @FunctionalInterface
    public interface Handler {
        String answer(String name, String key);
    }

    private final ServerSocketChannel server;
    private final ResolverConfig.Listen listen;
    private final Handler handler;
    private final ResolverLog log;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closing;

    private SocketmapServer(ServerSocketChannel server, ResolverConfig.Listen listen, Handler handler, ResolverLog log) {
        this.server = server;
        this.listen = listen;
        this.handler = handler;
        this.log = log;
        this.acceptor = new Thread(this::accept, "socketmap-accept");
        acceptor.setDaemon(true);
    }

    /** Binds and starts answering. */
    public static SocketmapServer start(ResolverConfig.Listen listen, boolean reusePort, Handler handler, ResolverLog log)
            throws IOException {
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
        SocketmapServer s = new SocketmapServer(ch, bound, handler, log);
        s.acceptor.start();
        return s;
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
            if (open.size() >= MAX_CONNECTIONS) {
                log.warn("socketmap: more than " + MAX_CONNECTIONS + " connections open; refusing one");
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

    private final class Connection implements Runnable {
        final SocketChannel ch;
        final int number;
        volatile boolean busy;

        Connection(SocketChannel ch, int number) {
            this.ch = ch;
            this.number = number;
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
                    byte[] request = Netstring.read(in, MAX_REQUEST);
                    if (request == null) {
                        break;
                    }
                    busy = true;
                    String text = new String(request, StandardCharsets.UTF_8);
                    int space = text.indexOf(' ');
                    String reply = space <= 0
                            ? "PERM the request must be \"name key\" (socketmap_table(5))"
                            : handler.answer(text.substring(0, space), text.substring(space + 1));
                    Netstring.write(out, reply);
                    busy = false;
                }
            } catch (Netstring.Malformed e) {
                log.warn("socketmap: closing a connection that sent " + e.getMessage());
            } catch (IOException e) {
                if (!closing) {
                    log.debug("socketmap: connection " + number + " ended: " + e.getMessage());
                }
            } finally {
                busy = false;
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
                if (!c.busy) {
                    closeQuietly(c.ch);
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

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
