package dev.mtasts.reports;

import java.util.Map;

/**
 * Where the original bytes of every report are kept: S3 in AWS, a folder for the local stack. Keys are named after
 * the report's identity, so the bytes of one report are kept once however often it is delivered.
 */
public interface RawStore {
    /**
     * Writes an object unless one is kept under the key already (a delivery of the same report in the same format):
     * the first delivery's bytes stay.
     */
    void putIfAbsent(String key, byte[] bytes, String contentType, Map<String, String> metadata);

    /** Removes an object; no error when there is none. */
    void delete(String key);
}
