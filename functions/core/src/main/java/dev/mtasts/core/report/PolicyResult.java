package dev.mtasts.core.report;

import java.util.List;
import java.util.Map;

/**
 * One entry of {@code policies} (RFC 8460 §4.3): the policy the sender applied and the sessions it counted.
 *
 * @param type {@code sts}, {@code tlsa}, {@code no-policy-found}, or whatever a sender wrote
 * @param domain the policy domain, normalised; null when neither the report nor its delivery names one
 * @param unknown keys of the policy object this version does not know, with their JSON text
 */
public record PolicyResult(String type, List<String> policyStrings, String domain, List<String> mxHosts,
        long successful, long failed, List<FailureDetail> failures, Map<String, String> unknown) {

    public PolicyResult {
        policyStrings = List.copyOf(policyStrings);
        mxHosts = List.copyOf(mxHosts);
        failures = List.copyOf(failures);
        unknown = Map.copyOf(unknown);
    }

    PolicyResult withDomain(String d) {
        return new PolicyResult(type, policyStrings, d, mxHosts, successful, failed, failures, unknown);
    }
}
