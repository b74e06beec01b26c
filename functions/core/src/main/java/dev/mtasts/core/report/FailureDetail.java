package dev.mtasts.core.report;

import java.util.Map;

/**
 * One {@code failure-details} entry (RFC 8460 §4.3). Every field but the result type may be absent (null); result
 * types outside the IANA registry are kept as they are.
 *
 * @param unknown keys this version does not know, with their JSON text
 */
public record FailureDetail(String resultType, String sendingMtaIp, String receivingMxHostname,
        String receivingMxHelo, String receivingIp, Long failedSessionCount, String additionalInformation,
        String failureReasonCode, Map<String, String> unknown) {

    public FailureDetail {
        unknown = Map.copyOf(unknown);
    }

    /** The count, or 0 when the sender left it out. */
    public long count() {
        return failedSessionCount == null ? 0 : failedSessionCount;
    }
}
