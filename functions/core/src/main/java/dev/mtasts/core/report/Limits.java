package dev.mtasts.core.report;

/**
 * Size limits for hostile input (RFC 8460 §5: receivers commonly cap reports at 10 MB; the decompressed size is
 * capped too, against gzip bombs). JSON nesting and string lengths are bounded by the parser.
 */
public record Limits(long maxCompressedBytes, long maxDecompressedBytes) {
    public static final Limits DEFAULT = new Limits(10L << 20, 20L << 20);

    public Limits {
        if (maxCompressedBytes <= 0 || maxDecompressedBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** From environment-style settings in bytes; null or blank keeps the default. */
    public static Limits of(String compressed, String decompressed) {
        return new Limits(parse(compressed, DEFAULT.maxCompressedBytes), parse(decompressed, DEFAULT.maxDecompressedBytes));
    }

    private static long parse(String v, long fallback) {
        return v == null || v.isBlank() ? fallback : Long.parseLong(v.strip());
    }
}
