package dev.mtasts.emulators;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code moto_server}, a local emulator of the AWS APIs (Route53, ACM, API Gateway v2, S3, SNS…), started on a free
 * port of 127.0.0.1 for tests and the local stack, and stopped on close.
 *
 * <p>It runs through {@code moto_server.py} (next to this class), which fills in the regional target of an API
 * Gateway custom domain that AWS returns and moto does not; where the Python that has moto cannot be found, plain
 * {@code moto_server} runs. Certificates issue at once ({@code MOTO_ACM_VALIDATION_WAIT=0}) unless the environment
 * says otherwise.
 */
public final class MotoServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;
    private final java.net.InetAddress address;

    private MotoServer(Process process, java.net.InetAddress address, int port, Path log) {
        this.process = process;
        this.address = address;
        this.port = port;
        this.log = log;
    }

    /** Starts on a free port of 127.0.0.1. */
    public static MotoServer start() {
        return start(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * Starts on {@code port} (0: a free one) of {@code address}, an address of this machine (the wildcard address
     * listens on all of them).
     *
     * @throws PortInUseException when the port is taken
     * @throws IllegalStateException when moto_server is not installed or does not start
     */
    public static MotoServer start(java.net.InetAddress address, int port) {
        try {
            Path script = Files.createTempFile("moto_server", ".py");
            script.toFile().deleteOnExit();
            try (var in = MotoServer.class.getResourceAsStream("moto_server.py")) {
                Files.write(script, in.readAllBytes());
            }
            try {
                return start(List.of("python3", script.toString()), address, port);
            } catch (NoMoto e) {
                try {
                    return start(List.of("moto_server"), address, port); // a moto whose Python is not the python3 on the PATH
                } catch (NoMoto impossible) {
                    throw new IllegalStateException("moto_server is not installed", impossible);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run moto_server (it must be on the PATH): " + e.getMessage(), e);
        }
    }

    /** The port asked for is taken. */
    public static final class PortInUseException extends RuntimeException {
        PortInUseException(String message) {
            super(message, null, false, false);
        }
    }

    /** The launcher's Python has no moto. */
    private static final class NoMoto extends Exception {
        NoMoto() {
            super(null, null, false, false);
        }
    }

    private static MotoServer start(List<String> command, java.net.InetAddress address, int asked)
            throws IOException, NoMoto {
        if (asked != 0) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(asked, 1, address)) {
                // free: moto_server gets it next (moto would only say so in its log)
            } catch (java.net.BindException e) {
                throw new PortInUseException("port " + asked + " on " + address.getHostAddress() + " is in use");
            }
        }
        int port = asked != 0 ? asked : LocalDynamoDb.freePort(address);
        Path log = Files.createTempFile("moto_server", ".log");
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("-H", address.getHostAddress(), "-p", Integer.toString(port)));
        ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putIfAbsent("MOTO_ACM_VALIDATION_WAIT", "0");
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            if (command.get(0).equals("python3")) {
                throw new NoMoto();
            }
            throw e;
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    String output = Files.readString(log);
                    if (command.get(0).equals("python3") && output.contains("No module named")) {
                        throw new NoMoto();
                    }
                    throw new IllegalStateException("moto_server exited: " + output);
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address.isAnyLocalAddress()
                            ? java.net.InetAddress.getLoopbackAddress() : address, port), 200);
                    return new MotoServer(p, address, port, log);
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("moto_server did not listen on port " + port + " within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException(e);
        }
    }

    /** Where clients on this machine reach it: its address, or 127.0.0.1 when it listens on all of them. */
    public URI endpoint() {
        return URI.create("http://" + LocalDynamoDb.hostPort(address, port));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }
}
