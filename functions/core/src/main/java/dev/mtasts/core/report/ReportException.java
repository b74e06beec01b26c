package dev.mtasts.core.report;

/** Why an input is not a usable report; the message names the field and the reason. */
public final class ReportException extends Exception {
    /** How a receiver answers: too large (413), not a report format (415), malformed or unusable (400). */
    public enum Kind { TOO_LARGE, UNSUPPORTED, INVALID, UNAUTHENTICATED }

    private final Kind kind;

    public ReportException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public ReportException(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
