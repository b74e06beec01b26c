package dev.mtasts.core.report;

import java.util.Set;

/**
 * RFC 8460 §4.3 result types, as registered with IANA (§6.6, "STARTTLS Validation Result Types"). The registry is
 * open, so a report may name any other type; those are kept, but as text a sender chose they get no place of their
 * own where space or cost is bounded (a day's summary, a metric's dimension) beyond a fixed few.
 */
public final class ResultTypes {
    public static final Set<String> REGISTERED = Set.of(
            "starttls-not-supported", "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted",
            "validation-failure", "tlsa-invalid", "dnssec-invalid", "dane-required", "sts-policy-fetch-error",
            "sts-policy-invalid", "sts-webpki-invalid");
    /** What failure details without a result type are counted as. */
    public static final String UNKNOWN = "unknown";
    /** Where result types beyond a bound are counted. */
    public static final String OTHER = "other";

    private ResultTypes() {
    }

    /** Registered, or one of the two names this project counts under itself. */
    public static boolean reserved(String type) {
        return REGISTERED.contains(type) || UNKNOWN.equals(type) || OTHER.equals(type);
    }
}
