package dev.mtasts.emulators;

import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.shared.access.sqlite.SQLiteLibraryLoader;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * DynamoDB Local (one shared database, in memory or in a folder) running in this JVM behind a real HTTP endpoint on
 * 127.0.0.1, so the SDK talks to it exactly as it talks to AWS.
 *
 * <p>We wire its Jetty server ourselves because DynamoDB Local's own launcher listens on every interface and cannot
 * report the port it picked. {@code sharedDb} means the access key and region of a client do not matter.
 */
public final class LocalDynamoDb implements AutoCloseable {
    /** Held so the level sticks: sqlite4java warns about its own jar version on every start. */
    private static final java.util.logging.Logger SQLITE_LOG = java.util.logging.Logger.getLogger("com.almworks.sqlite4java");
    /** Its streams API warns once through SDK v1's logger that JAXB is missing, which changes nothing here. */
    private static final java.util.logging.Logger SDK_V1_LOG = java.util.logging.Logger.getLogger("com.amazonaws");
    /** The file of a folder's tables: DynamoDB Local's one shared database. */
    public static final String FILE = "shared-local-instance.db";
    private final Server server;
    private final LocalDynamoDBRequestHandler requestHandler;
    private final int port;
    private final java.net.InetAddress address;

    private LocalDynamoDb(Server server, LocalDynamoDBRequestHandler requestHandler, int port,
            java.net.InetAddress address) {
        this.server = server;
        this.requestHandler = requestHandler;
        this.port = port;
        this.address = address;
    }

    /** Starts on a free port. */
    public static LocalDynamoDb start() {
        return start(0);
    }

    /** Starts on the given port of 127.0.0.1 (0: any free port), in memory. */
    public static LocalDynamoDb start(int port) {
        return start(port, null);
    }

    /**
     * Starts on the given port of 127.0.0.1 (0: any free port), keeping its tables in {@link #FILE} of
     * {@code folder} (made if missing), where a later start finds them again; in memory when {@code folder} is null.
     */
    public static LocalDynamoDb start(int port, java.nio.file.Path folder) {
        return start(java.net.InetAddress.getLoopbackAddress(), port, folder);
    }

    /**
     * Starts on the given port of {@code address} (an address of this machine; the wildcard address listens on all of
     * them), with the tables as {@link #start(int, java.nio.file.Path)} keeps them.
     */
    public static LocalDynamoDb start(java.net.InetAddress address, int port, java.nio.file.Path folder) {
        SQLITE_LOG.setLevel(java.util.logging.Level.OFF);
        SDK_V1_LOG.setLevel(java.util.logging.Level.SEVERE);
        try {
            SQLiteLibraryLoader.initialize(); // its launcher does this; we bypass the launcher
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the SQLite native library of DynamoDB Local: " + e, e);
        }
        LocalDynamoDBRequestHandler requestHandler;
        try {
            if (folder != null) {
                java.nio.file.Files.createDirectories(folder);
            }
            requestHandler = new LocalDynamoDBRequestHandler(0, folder == null,
                    folder == null ? null : folder.toAbsolutePath().toString(), true, false);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("cannot keep DynamoDB Local's tables in " + folder + ": "
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()), e);
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(address.getHostAddress());
        connector.setPort(port);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler();
        context.setHandler(new LocalDynamoDBServerHandler(requestHandler, null));
        server.setHandler(new ContextHandlerCollection(context));
        try {
            server.start();
        } catch (Exception e) {
            requestHandler.shutdown();
            if (e instanceof java.io.IOException && e.getCause() instanceof java.net.BindException
                    || e instanceof java.net.BindException) {
                throw new PortInUseException("port " + port + " on " + address.getHostAddress() + " is in use", e);
            }
            throw new IllegalStateException("cannot start DynamoDB Local on " + hostPort(address, port) + ": "
                    + e.getMessage(), e);
        }
        return new LocalDynamoDb(server, requestHandler, connector.getLocalPort(), address);
    }

    /** The port asked for is taken. */
    public static final class PortInUseException extends RuntimeException {
        PortInUseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public int port() {
        return port;
    }

    /** Where clients on this machine reach it: its address, or 127.0.0.1 when it listens on all of them. */
    public URI endpoint() {
        return URI.create("http://" + hostPort(address, port));
    }

    /**
     * {@code host:port} of a listener on {@code address} as a client on this machine names it: 127.0.0.1 for the
     * wildcard address, brackets around an IPv6 address.
     */
    public static String hostPort(java.net.InetAddress address, int port) {
        if (address.isAnyLocalAddress()) {
            return "127.0.0.1:" + port;
        }
        String host = address.getHostAddress();
        return (address instanceof java.net.Inet6Address ? "[" + host.replaceFirst("%.*", "") + "]" : host) + ":" + port;
    }

    /** An endpoint on 127.0.0.1 where nothing listens: DynamoDB as seen during an outage. */
    public static URI unreachableEndpoint() {
        return URI.create("http://127.0.0.1:" + freePort());
    }

    /** A port of 127.0.0.1 that was free a moment ago. */
    static int freePort() {
        return freePort(java.net.InetAddress.getLoopbackAddress());
    }

    /** A port of {@code address} that was free a moment ago. */
    static int freePort(java.net.InetAddress address) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, address)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping is best effort: shutting the handler down below closes the database
        } finally {
            requestHandler.shutdown();
        }
    }
}
