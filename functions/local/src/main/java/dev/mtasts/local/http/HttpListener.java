package dev.mtasts.local.http;

import dev.mtasts.core.Quote;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * HTTP/1.1 (RFC 9112) on a port of 127.0.0.1, answered by a handler on a few worker threads. One thread reads every
 * connection without blocking and hands a request to a worker only once it has arrived whole, head and body; it also
 * writes the answers. So a client that sends its request slowly, or not at all, holds a connection and nothing else:
 * the workers are always free for the requests that have come.
 *
 * <p>Time limits, per connection: a request must arrive whole within the request timeout of its first byte (then 408),
 * an answer be taken within as long, and a kept-alive connection without a request is closed after the idle timeout.
 * Sizes: a head of at most {@link #MAX_HEAD} (then 431), a body of at most {@code maxBody} (then 413, decided from
 * Content-Length before a byte of the body is read, or as a chunked one grows past it), bodies held at once at most
 * {@link #BODY_BUDGET} (a body that does not fit waits), at most {@link #MAX_CONNECTIONS} connections (at the limit
 * the one that has waited longest for a request is closed). Every refusal is a JSON {@code {"message": …}} in our words,
 * and the connection is then closed gracefully: what the client still sends is read and dropped for a while, so that
 * it reads the answer rather than a reset.
 */
public final class HttpListener implements AutoCloseable {
    /** The request line and header fields together (an HTTP API allows 10 KB). */
    static final int MAX_HEAD = 16 << 10;
    /** Connections kept at once. */
    static final int MAX_CONNECTIONS = 1000;
    /** Request bodies held at once, whole or arriving. */
    static final long BODY_BUDGET = 64L << 20;
    /** After a refusal, at most this much of what the client still sends is read and dropped. */
    static final long LINGER_BYTES = 64L << 20;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            Locale.US).withZone(ZoneOffset.UTC);
    private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(200, "OK"), Map.entry(201, "Created"),
            Map.entry(202, "Accepted"), Map.entry(204, "No Content"), Map.entry(301, "Moved Permanently"),
            Map.entry(302, "Found"), Map.entry(304, "Not Modified"), Map.entry(400, "Bad Request"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(408, "Request Timeout"), Map.entry(413, "Content Too Large"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(417, "Expectation Failed"),
            Map.entry(429, "Too Many Requests"), Map.entry(431, "Request Header Fields Too Large"),
            Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"),
            Map.entry(505, "HTTP Version Not Supported"));
    /** At most one line this often about connections closed at the limit. */
    private static final long LIMIT_LINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * @param maxBody the longest body taken
     * @param workers requests answered at once
     * @param idleTimeout how long a kept-alive connection may wait for its next request
     * @param requestTimeout how long a request may take to arrive whole from its first byte, and an answer to be taken
     */
    public record Settings(long maxBody, int workers, Duration idleTimeout, Duration requestTimeout) {
    }

    /** The answer to a request; runs on a worker. */
    @FunctionalInterface
    public interface Handler {
        Response answer(Request request);
    }

    private enum Phase {
        /** Kept alive, waiting for a request. */
        IDLE,
        /** A request's head is arriving. */
        HEAD,
        /** Its body is arriving. */
        BODY,
        /** A worker is answering. */
        WORK,
        /** The answer is being written. */
        WRITE,
        /** Refused or done and closing: what still comes is read and dropped, so the client can read the answer. */
        LINGER
    }

    private final Settings settings;
    private final Handler handler;
    private final Consumer<String> log;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final SelectionKey acceptKey;
    private final ExecutorService workers;
    private final Thread loop;
    /** Work for the loop's thread, from the workers. */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    // the loop's thread only
    private final Set<Connection> connections = new HashSet<>();
    private final Deque<Connection> paused = new ArrayDeque<>();
    private volatile long bodyBytes; // written by the selector thread only
    private long acceptPausedUntil;
    private long limitLineAt = System.nanoTime() - LIMIT_LINE_NANOS;
    private int limitUnlogged;
    private volatile boolean closed;

    public HttpListener(int port, Settings settings, Handler handler, Consumer<String> log) throws IOException {
        this(java.net.InetAddress.getLoopbackAddress(), port, settings, handler, log);
    }

    /** On {@code port} of {@code address}, an address of this machine (the wildcard address: all of them). */
    public HttpListener(java.net.InetAddress address, int port, Settings settings, Handler handler, Consumer<String> log)
            throws IOException {
        this.settings = settings;
        this.handler = handler;
        this.log = log;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(address, port), 128);
            server.configureBlocking(false);
            this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            selector.close();
            throw e;
        }
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "serve-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.loop = new Thread(this::run, "serve-http");
        loop.setDaemon(true);
        loop.start();
    }

    /** Body bytes held now, whole or arriving. */
    long heldBodyBytes() {
        return bodyBytes;
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    private void run() {
        long tick = Math.max(10, Math.min(250,
                Math.min(settings.idleTimeout().toMillis(), settings.requestTimeout().toMillis()) / 4));
        long nextSweep = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(tick);
        try {
            while (!closed) {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextSweep - System.nanoTime())));
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.accept("serve: an error in the HTTP listener: " + e);
                    }
                }
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key == acceptKey) {
                        accept();
                    } else if (key.attachment() instanceof Connection c) {
                        c.ready(key);
                    }
                }
                long now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    sweep(now);
                    nextSweep = now + TimeUnit.MILLISECONDS.toNanos(tick);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.accept("serve: the HTTP listener stopped: " + e);
            }
        } finally {
            for (Connection c : new ArrayList<>(connections)) {
                c.close();
            }
            closeQuietly(server);
            closeQuietly(selector);
        }
    }

    private void accept() {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                // out of file descriptors, most likely: try again shortly rather than spin
                log.accept("serve: accepting a connection failed: " + e.getMessage());
                acceptKey.interestOps(0);
                acceptPausedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                return;
            }
            if (ch == null) {
                return;
            }
            if (connections.size() >= MAX_CONNECTIONS && !makeRoom()) {
                closeQuietly(ch);
                continue;
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                connections.add(new Connection(ch, ch.register(selector, SelectionKey.OP_READ)));
            } catch (IOException e) {
                closeQuietly(ch);
            }
        }
    }

    /** At the limit, closes the connection that has waited longest for a request; false when all are answering. */
    private boolean makeRoom() {
        Connection longest = null;
        for (Connection c : connections) {
            boolean waiting = c.phase == Phase.IDLE || c.phase == Phase.HEAD || c.phase == Phase.BODY
                    || c.phase == Phase.LINGER;
            if (waiting && (longest == null || c.since - longest.since < 0)) {
                longest = c;
            }
        }
        long now = System.nanoTime();
        if (now - limitLineAt >= LIMIT_LINE_NANOS) {
            log.accept("serve: " + MAX_CONNECTIONS + " connections open (the most kept): "
                    + (longest == null ? "refusing a new one" : "closing the one that has waited longest, to take a new one")
                    + (limitUnlogged == 0 ? "" : " (" + limitUnlogged + " more since the last such line)"));
            limitLineAt = now;
            limitUnlogged = 0;
        } else {
            limitUnlogged++;
        }
        if (longest != null) {
            longest.close();
        }
        return longest != null;
    }

    private void sweep(long now) {
        if (acceptKey.interestOps() == 0 && now - acceptPausedUntil >= 0) {
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        for (Connection c : new ArrayList<>(connections)) {
            if (now - c.deadline < 0 || !c.key.isValid()) {
                continue;
            }
            try {
                switch (c.phase) {
                    case IDLE, LINGER -> c.close();
                    case HEAD, BODY -> c.refuse(408, "the request did not arrive whole within "
                            + seconds(settings.requestTimeout()), 1 << 16);
                    case WRITE -> {
                        log.accept(c.logged() + ": closed, the answer not taken within "
                                + seconds(settings.requestTimeout()));
                        c.close();
                    }
                    case WORK -> {
                        // a worker has it
                    }
                }
            } catch (IOException | RuntimeException e) {
                c.close();
            }
        }
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return (ms % 1000 == 0 ? Long.toString(ms / 1000)
                : java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString()) + " s";
    }

    private void release(long bytes) {
        bodyBytes -= bytes;
        while (bodyBytes < BODY_BUDGET && !paused.isEmpty()) {
            Connection c = paused.poll();
            if (c.key.isValid() && c.phase == Phase.BODY) {
                c.resume();
            }
        }
    }

    private final class Connection {
        final SocketChannel ch;
        final SelectionKey key;
        final InetSocketAddress remote;
        /** Bytes read and not yet taken (write mode: they are [0, position)). */
        final ByteBuffer in = ByteBuffer.allocate(MAX_HEAD);
        Phase phase;
        /** When the phase began; for HEAD, BODY and WORK, when the request's first byte came. */
        long since;
        long deadline;
        Head head;
        /** The request line of a head that could not be read, for the log. */
        String unread;
        Body body;
        /** Body bytes counted in {@link #bodyBytes}. */
        long counted;
        boolean isPaused;
        ByteBuffer out;
        boolean closeAfterWrite;
        long lingerLeft;

        Connection(SocketChannel ch, SelectionKey key) throws IOException {
            this.ch = ch;
            this.key = key;
            this.remote = (InetSocketAddress) ch.getRemoteAddress();
            key.attach(this);
            idle(System.nanoTime());
        }

        void idle(long now) {
            phase = Phase.IDLE;
            since = now;
            deadline = now + settings.idleTimeout().toNanos();
            head = null;
            unread = null;
            body = null;
            interest(SelectionKey.OP_READ);
        }

        void begin(long now) {
            head = null;
            body = null;
            unread = null;
            phase = Phase.HEAD;
            since = now;
            deadline = now + settings.requestTimeout().toNanos();
        }

        void interest(int ops) {
            if (key.isValid()) {
                key.interestOps(ops);
            }
        }

        /** The request as the log names it: method, host and path, escaped and cut; a dash before its head is read. */
        String logged() {
            if (head == null) {
                return unread == null ? "-" : Quote.escaped(unread, 200);
            }
            String path = head.target();
            int q = path.indexOf('?');
            return Quote.escaped(head.method(), 20) + " " + Quote.escaped(Request.hostOf(head.header("Host")), 100)
                    + Quote.escaped(q < 0 ? path : path.substring(0, q), 200);
        }

        void ready(SelectionKey k) {
            try {
                if (k.isValid() && k.isWritable()) {
                    write();
                }
                if (k.isValid() && k.isReadable()) {
                    read();
                }
            } catch (IOException | CancelledKeyException e) {
                close();
            } catch (RuntimeException e) {
                log.accept("serve: closing a connection after an error in the listener: " + e);
                close();
            }
        }

        void read() throws IOException {
            if (phase == Phase.LINGER) {
                in.clear();
                int n = ch.read(in);
                in.clear();
                lingerLeft -= Math.max(n, 0);
                if (n < 0 || lingerLeft <= 0) {
                    close();
                }
                return;
            }
            if (phase != Phase.IDLE && phase != Phase.HEAD && phase != Phase.BODY) {
                return;
            }
            if (!in.hasRemaining()) {
                return; // a body waiting for room: the head buffer is full of it
            }
            int n = ch.read(in);
            if (n < 0) {
                close();
                return;
            }
            if (n > 0) {
                if (phase == Phase.IDLE) {
                    begin(System.nanoTime());
                }
                advance();
            }
        }

        /** Takes what has been read: the head, then the body, then hands the request to a worker. */
        void advance() throws IOException {
            if (phase == Phase.HEAD) {
                int blank = 0;
                while (blank < in.position() && (in.get(blank) == '\r' || in.get(blank) == '\n')) {
                    blank++; // RFC 9112 §2.2: empty lines before a request line are ignored
                }
                drop(blank);
                int end = Head.end(in.array(), 0, in.position());
                if (end < 0) {
                    if (!in.hasRemaining()) {
                        refuse(431, "the request line and header fields are over " + MAX_HEAD / 1024 + " KB", 1 << 16);
                    }
                    return;
                }
                try {
                    head = Head.parse(in.array(), 0, end);
                } catch (Refusal r) {
                    unread = Head.requestLine(in.array(), 0, end);
                    drop(end);
                    refuse(r.status, r.getMessage(), 1 << 20);
                    return;
                }
                drop(end);
                try {
                    body = new Body(head.contentLength(), settings.maxBody());
                } catch (Refusal r) {
                    // the client may be sending it: what it sends is dropped, so it finishes and reads the 413
                    refuse(r.status, r.getMessage(), Math.min(head.contentLength(), LINGER_BYTES));
                    return;
                }
                phase = Phase.BODY;
                if (head.expectContinue() && !body.done()) {
                    send(CONTINUE);
                }
            }
            if (phase == Phase.BODY) {
                if (bodyBytes >= BODY_BUDGET && !body.done()) {
                    pause();
                    return;
                }
                in.flip();
                int before = body.length();
                try {
                    body.take(in);
                } catch (Refusal r) {
                    in.compact();
                    refuse(r.status, r.getMessage(), LINGER_BYTES);
                    return;
                }
                in.compact();
                counted += body.length() - before;
                bodyBytes += body.length() - before;
                if (body.done()) {
                    dispatch();
                }
            }
        }

        /** Forgets the first {@code n} bytes read. */
        void drop(int n) {
            if (n > 0) {
                in.flip();
                in.position(n);
                in.compact();
            }
        }

        void pause() {
            isPaused = true;
            interest(out != null ? SelectionKey.OP_WRITE : 0);
            paused.add(this);
        }

        void resume() {
            isPaused = false;
            interest(SelectionKey.OP_READ | (out != null ? SelectionKey.OP_WRITE : 0));
            try {
                advance();
            } catch (IOException | RuntimeException e) {
                close();
            }
        }

        void dispatch() {
            phase = Phase.WORK;
            deadline = Long.MAX_VALUE;
            interest(out != null ? SelectionKey.OP_WRITE : 0);
            Request request = new Request(head.method(), head.target(), head.version(), head.headers(), body.bytes(),
                    remote);
            boolean keepAlive = head.keepAlive();
            String version = head.version();
            // with nothing else to send, the worker writes the answer itself: the client has it without waiting for
            // this thread (which meanwhile never touches the connection: it reads nothing and writes nothing)
            boolean direct = out == null;
            workers.execute(() -> {
                Response response;
                String failure = null;
                try {
                    response = handler.answer(request);
                } catch (RuntimeException e) {
                    response = error(500, "Internal Server Error");
                    failure = e.toString();
                }
                ByteBuffer bytes = ByteBuffer.wrap(serialize(response, request.method(), version, keepAlive));
                if (direct) {
                    try {
                        ch.write(bytes);
                    } catch (IOException e) {
                        // the loop writes the rest, and finds the connection broken
                    }
                }
                int status = response.status();
                String why = failure;
                tasks.add(() -> answered(bytes, status, keepAlive, why));
                selector.wakeup();
            });
        }

        void answered(ByteBuffer bytes, int status, boolean keepAlive, String failure) {
            long held = counted;
            counted = 0;
            if (!key.isValid()) {
                release(held);
                return;
            }
            log.accept(logged() + " -> " + status + " (" + (System.nanoTime() - since) / 1_000_000 + " ms)"
                    + (failure == null ? "" : ": " + Quote.escaped(failure, 500)));
            body = null;
            try {
                respond(bytes, !keepAlive, 1 << 16);
            } catch (IOException e) {
                close();
            }
            release(held);
        }

        /** Answers the request itself, and closes the connection after the answer. */
        void refuse(int status, String reason, long linger) throws IOException {
            log.accept(logged() + " -> " + status + " (" + (System.nanoTime() - since) / 1_000_000 + " ms): " + reason);
            long held = counted;
            counted = 0;
            body = null;
            if (isPaused) {
                paused.remove(this);
                isPaused = false;
            }
            respond(serialize(error(status, reason), head == null ? "GET" : head.method(), "HTTP/1.1", false), true,
                    linger);
            release(held);
        }

        void respond(byte[] bytes, boolean close, long linger) throws IOException {
            respond(ByteBuffer.wrap(bytes), close, linger);
        }

        void respond(ByteBuffer bytes, boolean close, long linger) throws IOException {
            phase = Phase.WRITE;
            since = System.nanoTime();
            deadline = since + settings.requestTimeout().toNanos();
            closeAfterWrite = close;
            lingerLeft = linger;
            send(bytes);
        }

        void send(byte[] bytes) throws IOException {
            send(ByteBuffer.wrap(bytes));
        }

        void send(ByteBuffer bytes) throws IOException {
            if (out == null || !out.hasRemaining()) {
                out = bytes;
            } else {
                ByteBuffer both = ByteBuffer.allocate(out.remaining() + bytes.remaining());
                both.put(out).put(bytes).flip();
                out = both;
            }
            write();
        }

        void write() throws IOException {
            if (out != null) {
                ch.write(out);
                if (out.hasRemaining()) {
                    interest(SelectionKey.OP_WRITE | (phase == Phase.BODY && !isPaused ? SelectionKey.OP_READ : 0));
                    return;
                }
                out = null;
            }
            if (phase != Phase.WRITE) {
                interest(phase == Phase.BODY && !isPaused ? SelectionKey.OP_READ : 0); // 100 Continue sent
                return;
            }
            long now = System.nanoTime();
            if (closeAfterWrite) {
                linger(now);
            } else if (in.position() > 0) {
                begin(now); // the next request was sent before this answer (pipelining)
                interest(SelectionKey.OP_READ);
                advance();
            } else {
                idle(now);
            }
        }

        /** Sends FIN and reads what still comes, so the client reads the answer rather than a reset. */
        void linger(long now) throws IOException {
            phase = Phase.LINGER;
            since = now;
            deadline = now + settings.requestTimeout().toNanos();
            lingerLeft -= in.position();
            in.clear();
            ch.shutdownOutput();
            if (lingerLeft <= 0) {
                close();
            } else {
                interest(SelectionKey.OP_READ);
            }
        }

        void close() {
            if (isPaused) {
                paused.remove(this);
                isPaused = false;
            }
            connections.remove(this);
            key.cancel();
            closeQuietly(ch);
            long held = counted;
            counted = 0;
            if (held > 0) {
                release(held);
            }
        }
    }

    static Response error(int status, String reason) {
        String message = status == 500 ? reason : reason.substring(0, 1).toUpperCase(Locale.ROOT) + reason.substring(1);
        byte[] body = ("{\"message\":\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                .quoteAsString(message)) + "\"}").getBytes(StandardCharsets.UTF_8);
        return new Response(status, List.of(new Request.Header("Content-Type", "application/json")), body);
    }

    /** The answer's bytes: status line, header fields, body (none to a HEAD, a 204 or a 304). */
    static byte[] serialize(Response r, String method, String version, boolean keepAlive) {
        StringBuilder h = new StringBuilder(256);
        h.append("HTTP/1.1 ").append(r.status()).append(' ').append(REASONS.getOrDefault(r.status(), "")).append("\r\n");
        for (Request.Header f : r.headers()) {
            String name = f.name().toLowerCase(Locale.ROOT);
            if (!Head.isToken(f.name()) || name.equals("content-length") || name.equals("transfer-encoding")
                    || name.equals("connection") || name.equals("date")) {
                continue; // the listener's own
            }
            h.append(f.name()).append(": ");
            for (int i = 0; i < f.value().length(); i++) {
                char c = f.value().charAt(i);
                h.append(c == '\r' || c == '\n' || c == 0 ? ' ' : c); // a value is one line
            }
            h.append("\r\n");
        }
        boolean noBody = r.status() == 204 || r.status() == 304;
        if (!noBody) {
            h.append("Content-Length: ").append(r.body().length).append("\r\n");
        }
        h.append("Date: ").append(DATE.format(Instant.now())).append("\r\n");
        if (!keepAlive) {
            h.append("Connection: close\r\n");
        } else if (version.equals("HTTP/1.0")) {
            h.append("Connection: keep-alive\r\n");
        }
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (noBody || method.equals("HEAD") || r.body().length == 0) {
            return head;
        }
        byte[] all = java.util.Arrays.copyOf(head, head.length + r.body().length);
        System.arraycopy(r.body(), 0, all, head.length, r.body().length);
        return all;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
