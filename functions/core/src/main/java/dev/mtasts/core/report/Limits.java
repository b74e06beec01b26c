package dev.mtasts.core.report;

/**
 * Size limits for hostile input (RFC 8460 §5: receivers commonly cap reports at 10 MB; the decompressed size is
 * capped too, against gzip bombs). JSON nesting and string lengths are bounded by the parser, session counts by
 * {@link #MAX_SESSIONS}, and e-mail nesting by {@link #MAX_MIME_DEPTH}.
 */
public record Limits(long maxCompressedBytes, long maxDecompressedBytes) {
    public static final Limits DEFAULT = new Limits(10L << 20, 20L << 20);
    /**
     * The most sessions one count of a report may claim: a trillion, more than all the e-mail sent on Earth in a
     * day. A larger count is a forgery or a bug, refused with the field named; sums of counts never wrap.
     */
    public static final long MAX_SESSIONS = 1_000_000_000_000L;
    /** Parts within parts an e-mail may nest: real report e-mails use two or three. */
    public static final int MAX_MIME_DEPTH = 16;

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
