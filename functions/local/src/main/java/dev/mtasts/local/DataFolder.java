package dev.mtasts.local;

import dev.mtasts.emulators.LocalDynamoDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What the local stack keeps between runs, in one folder ({@code .mta-sts/local} by default):
 * <pre>
 *   dynamodb/   DynamoDB Local's database: the domains, the stack's state and the reports tables
 *   reports/    the raw report bodies as received, under the keys the reports bucket has in AWS (https/2026/12/07/…)
 *   serve.lock  locked while a local stack runs on the folder, so that two never write one database
 * </pre>
 * In memory ({@code --in-memory}) the tables go with the process and only {@code reports/} is written.
 */
public final class DataFolder implements AutoCloseable {
    static final String TABLES = "dynamodb";
    static final String REPORTS = "reports";
    static final String LOCK = "serve.lock";
    /** What {@code serve} and {@code report ingest} of earlier versions wrote at the top of a folder of raw reports. */
    private static final List<String> OLD_RAW = List.of("https", "cli", "rejected", "processed");

    private final Path root;
    private final boolean inMemory;
    private final boolean kept;
    private final FileChannel lockFile;
    private final FileLock lock;

    private DataFolder(Path root, boolean inMemory, boolean kept, FileChannel lockFile, FileLock lock) {
        this.root = root;
        this.inMemory = inMemory;
        this.kept = kept;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /** A folder whose tables are not kept: only raw report bodies are written there. */
    public static DataFolder inMemory(Path root) {
        return new DataFolder(root, true, false, null, null);
    }

    /**
     * Takes the folder for this run: made if missing, locked while the run lasts.
     *
     * @throws InUse when another run holds it, or it is not a data folder of the local stack (the message says why
     *     in one line)
     */
    public static DataFolder open(Path root) {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new InUse(root + " is a file, not a folder: name a folder for --data-dir (the default is .mta-sts/local)");
        }
        if (Files.isDirectory(root) && !Files.exists(root.resolve(TABLES))) {
            for (String old : OLD_RAW) {
                if (Files.isDirectory(root.resolve(old))) {
                    throw new InUse(root + " holds raw reports (" + old + "/) but no tables: it is a reports folder "
                            + "of an earlier version, not a data folder of serve. Name a new folder (the default is "
                            + ".mta-sts/local); the reports there stay as they are");
                }
            }
        }
        boolean kept = Files.exists(root.resolve(TABLES).resolve(LocalDynamoDb.FILE));
        FileChannel channel = null;
        try {
            Files.createDirectories(root);
            channel = FileChannel.open(root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new InUse(root + " is in use by another mta-sts serve: stop it, or name another --data-dir");
            }
            channel.truncate(0);
            channel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"));
            return new DataFolder(root, false, kept, channel, lock);
        } catch (IOException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // the error below says what matters
            }
            throw new InUse(root + ": " + (e instanceof AccessDeniedException ? "permission denied"
                    : e.getMessage()) + " (name another --data-dir)");
        }
    }

    /** The folder cannot be used for this run. */
    public static final class InUse extends RuntimeException {
        InUse(String message) {
            super(message, null, false, false);
        }
    }

    public Path root() {
        return root;
    }

    public boolean inMemory() {
        return inMemory;
    }

    /** Whether the tables were there already: an earlier run's, found again. */
    public boolean kept() {
        return kept;
    }

    /** Where DynamoDB Local keeps its database, or null in memory. */
    Path tables() {
        return inMemory ? null : root.resolve(TABLES);
    }

    /** Where raw report bodies go when no AWS emulator outlives the run. */
    Path reports() {
        return root.resolve(REPORTS);
    }

    @Override
    public void close() {
        if (lock == null) {
            return;
        }
        try {
            lock.release(); // the file stays: deleting it could let two later runs lock two different files
            lockFile.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
