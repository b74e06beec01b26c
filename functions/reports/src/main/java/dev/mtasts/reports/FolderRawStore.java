package dev.mtasts.reports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Raw deliveries as files below a folder, for {@code mta-sts serve}; metadata goes to a {@code .meta} file beside. */
public final class FolderRawStore implements RawStore {
    private final Path root;

    public FolderRawStore(Path root) {
        this.root = root;
    }

    @Override
    public void putIfAbsent(String key, byte[] bytes, String contentType, Map<String, String> metadata) {
        Path file = file(key);
        if (Files.exists(file)) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
            if (!metadata.isEmpty()) {
                StringBuilder b = new StringBuilder();
                metadata.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
                Files.writeString(file.resolveSibling(file.getFileName() + ".meta"), b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) {
        Path file = file(key);
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".meta"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    private Path file(String key) {
        Path file = root.resolve(key).normalize();
        if (!file.startsWith(root.normalize())) {
            throw new IllegalArgumentException("key outside the data folder: " + key);
        }
        return file;
    }
}
