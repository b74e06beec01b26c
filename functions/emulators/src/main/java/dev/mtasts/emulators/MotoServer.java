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

    private MotoServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static MotoServer start() {
        try {
            Path script = Files.createTempFile("moto_server", ".py");
            script.toFile().deleteOnExit();
            try (var in = MotoServer.class.getResourceAsStream("moto_server.py")) {
                Files.write(script, in.readAllBytes());
            }
            try {
                return start(List.of("python3", script.toString()));
            } catch (NoMoto e) {
                try {
                    return start(List.of("moto_server")); // a moto whose Python is not the python3 on the PATH
                } catch (NoMoto impossible) {
                    throw new IllegalStateException("moto_server is not installed", impossible);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run moto_server (it must be on the PATH): " + e.getMessage(), e);
        }
    }

    /** The launcher's Python has no moto. */
    private static final class NoMoto extends Exception {
        NoMoto() {
            super(null, null, false, false);
        }
    }

    private static MotoServer start(List<String> command) throws IOException, NoMoto {
        int port = LocalDynamoDb.freePort();
        Path log = Files.createTempFile("moto_server", ".log");
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("-H", "127.0.0.1", "-p", Integer.toString(port)));
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
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new MotoServer(p, port, log);
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

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
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
