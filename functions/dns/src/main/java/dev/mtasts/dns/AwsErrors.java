package dev.mtasts.dns;

import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Sorts every AWS error the lifecycle meets into one of two kinds, so that nothing loops silently: passing ones
 * (throttling, a 5xx, a timeout, a busy resource) are retried with backoff; the rest block the domain with a reason a
 * mail admin can act on (a quota to raise, a permission the function lacks, an input AWS refused).
 */
final class AwsErrors {
    private AwsErrors() {
    }

    /** What an AWS call's failure means for the step that made it. */
    record Verdict(boolean passing, String reason) {
    }

    /** @param what what was under way, in plain words: "getting an ACM certificate for the policy host" */
    static Verdict classify(String what, SdkException e) {
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new Verdict(true, "AWS did not answer in time while " + what);
        }
        if (e instanceof SdkClientException) {
            return new Verdict(true, "cannot reach AWS while " + what + ": " + firstLine(e.getMessage()));
        }
        if (!(e instanceof AwsServiceException s) || s.awsErrorDetails() == null) {
            return new Verdict(false, "an AWS error while " + what + ": " + firstLine(e.getMessage()));
        }
        String service = s.awsErrorDetails().serviceName();
        String code = s.awsErrorDetails().errorCode() == null ? "" : s.awsErrorDetails().errorCode();
        String message = s.awsErrorDetails().errorMessage() == null ? "" : firstLine(s.awsErrorDetails().errorMessage());
        String lower = (code + " " + message).toLowerCase(Locale.ROOT);
        if (s.isThrottlingException() || s.statusCode() >= 500 || code.equals("PriorRequestNotComplete")
                || code.equals("RequestInProgressException") || code.equals("TooManyRequestsException")
                || code.equals("ConcurrentModification")) {
            return new Verdict(true, service + " is busy" + (code.isEmpty() ? "" : " (" + code + ")") + " while " + what);
        }
        if (s.statusCode() == 403 || code.contains("AccessDenied") || code.equals("UnauthorizedOperation")) {
            return new Verdict(false, service + " denied a call (" + code + ") while " + what
                    + ": the lifecycle function's role in template.yaml lacks the permission");
        }
        if (lower.contains("limit") || lower.contains("quota") || lower.contains("maximum number")) {
            return new Verdict(false, service + " refused a call while " + what + ": an account quota is reached (" + code
                    + ": " + message + "). " + quotaHint(service) + " Raise it in Service Quotas, then the domain "
                    + "carries on by itself.");
        }
        return new Verdict(false, service + " refused a call while " + what + " (" + code
                + (message.isEmpty() ? "" : ": " + message) + ")");
    }

    private static String quotaHint(String service) {
        String s = service == null ? "" : service.toLowerCase(Locale.ROOT);
        if (s.contains("apigateway")) {
            return "The quota is likely \"Custom domain names per account per Region\" of API Gateway (120 by default).";
        }
        if (s.contains("acm")) {
            return "The quota is likely ACM's \"ACM certificates\" or \"ACM certificates created in last 365 days\".";
        }
        if (s.contains("route53")) {
            return "The quota is likely Route53's \"Records per hosted zone\" (10,000 by default).";
        }
        return "";
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
