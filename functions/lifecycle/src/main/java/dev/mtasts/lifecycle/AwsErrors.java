package dev.mtasts.lifecycle;

import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Sorts every AWS error the lifecycle meets, so that nothing loops silently: passing ones (a 5xx, a timeout, a busy
 * resource) are retried with backoff and counted; AWS limiting the rate of requests (throttling, {@code
 * TooManyRequests}) is waited out without counting, however long it lasts; an account quota reached ({@code
 * LimitExceeded}, a maximum number of something) blocks the domain with the quota's name and how to raise it; the
 * rest block the domain with a reason a mail admin can act on (a permission the function lacks, an input AWS refused).
 */
final class AwsErrors {
    private AwsErrors() {
    }

    /** What the lifecycle does about a failed AWS call. */
    enum Kind {
        /** Retried with backoff; after {@link DomainLifecycle#BLOCK_AFTER} in a row the domain is called blocked. */
        PASSING,
        /** AWS limits the rate of requests: backed off, not counted as a failure. */
        THROTTLED,
        /** An account quota is reached: blocked until it is raised, looked at again now and then. */
        QUOTA,
        /** Refused for good: blocked until the user fixes the cause. */
        REFUSED
    }

    /** What an AWS call's failure means for the step that made it. */
    record Verdict(Kind kind, String reason) {
        boolean passing() {
            return kind == Kind.PASSING || kind == Kind.THROTTLED;
        }
    }

    /** @param what what was under way, in plain words: "getting an ACM certificate for the policy host" */
    static Verdict classify(String what, SdkException e) {
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new Verdict(Kind.PASSING, "AWS did not answer in time while " + what);
        }
        if (e instanceof SdkClientException) {
            return new Verdict(Kind.PASSING, "cannot reach AWS while " + what + ": " + firstLine(e.getMessage()));
        }
        if (!(e instanceof AwsServiceException s) || s.awsErrorDetails() == null) {
            return new Verdict(Kind.REFUSED, "an AWS error while " + what + ": " + firstLine(e.getMessage()));
        }
        String service = s.awsErrorDetails().serviceName();
        String code = s.awsErrorDetails().errorCode() == null ? "" : s.awsErrorDetails().errorCode();
        String message = s.awsErrorDetails().errorMessage() == null ? "" : firstLine(s.awsErrorDetails().errorMessage());
        String lower = (code + " " + message).toLowerCase(Locale.ROOT);
        String why = code + (message.isEmpty() ? "" : ": " + message);
        boolean rate = lower.matches("(?s).*\\brate\\b.*") || lower.contains("too many requests") || lower.contains("throttl");
        boolean count = code.contains("LimitExceeded") || code.contains("LimitsExceeded") || code.startsWith("TooMany")
                && !code.equals("TooManyRequestsException") || lower.contains("maximum number") || lower.contains("quota")
                || lower.contains("limit of");
        if (count && !rate) {
            Quota quota = Quota.of(service, lower);
            return new Verdict(Kind.QUOTA, service + " refused a call while " + what + ": the account's quota "
                    + quota.name() + " is reached (" + why + "). Raise it: " + quota.where()
                    + " (Request increase), or remove domains you no longer need; the domain carries on by itself "
                    + "once there is room");
        }
        if (s.isThrottlingException() || code.equals("TooManyRequestsException") || code.equals("Throttling")
                || code.equals("ThrottlingException")) {
            return new Verdict(Kind.THROTTLED, service + " is limiting the rate of requests (" + code + ") while "
                    + what + "; nothing to do, the stack backs off and tries again");
        }
        if (s.statusCode() >= 500 || code.equals("PriorRequestNotComplete") || code.equals("RequestInProgressException")
                || code.equals("ConcurrentModification")) {
            return new Verdict(Kind.PASSING, service + " is busy" + (code.isEmpty() ? "" : " (" + code + ")") + " while " + what);
        }
        if (s.statusCode() == 403 || code.contains("AccessDenied") || code.equals("UnauthorizedOperation")) {
            return new Verdict(Kind.REFUSED, service + " denied a call (" + code + ") while " + what
                    + ": the lifecycle function's role in template.yaml lacks the permission");
        }
        return new Verdict(Kind.REFUSED, service + " refused a call while " + what + " (" + why + ")");
    }

    /** An account quota by its name in Service Quotas, and where to raise it. */
    record Quota(String name, String where) {
        static Quota of(String service, String lowerMessage) {
            String s = service == null ? "" : service.toLowerCase(Locale.ROOT);
            if (s.contains("apigateway")) {
                return new Quota("\"Custom domains per account\" (120 by default, per region)",
                        "Service Quotas: API Gateway \"Custom domains per account\"");
            }
            if (s.contains("acm")) {
                boolean yearly = lowerMessage.contains("year") || lowerMessage.contains("365");
                String name = yearly ? "\"ACM certificates created in last 365 days\"" : "\"ACM certificates\"";
                return new Quota(name + (yearly ? "" : " (2,500 by default, per region)"),
                        "Service Quotas: AWS Certificate Manager (ACM) " + name);
            }
            if (s.contains("route53") || s.contains("route 53")) {
                return new Quota("\"Records per hosted zone\" (10,000 by default)",
                        "Service Quotas: Amazon Route 53 \"Records per hosted zone\"");
            }
            return new Quota("of " + service, "Service Quotas, under " + service);
        }
    }

    /** AWS messages can span lines and carry request ids in a trailing parenthesis: keep the sentence. */
    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String m = message.strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        int service = m.indexOf(" (Service: ");
        if (service >= 0) {
            m = m.substring(0, service);
        }
        return m.length() <= 300 ? m : m.substring(0, 297) + "...";
    }
}
