package dev.mtasts.reports;

import java.util.Map;

/** Where the original bytes of every delivery are kept: S3 in AWS, a folder for the local stack. */
public interface RawStore {
    /** Writes an object; writing the same key again replaces it (keys are content-addressed). */
    void put(String key, byte[] bytes, String contentType, Map<String, String> metadata);
}
