package dev.mtasts.core;

/** The policy mode (RFC 8461 §5). Case-sensitive on the wire. */
public enum Mode {
    /** Senders deliver anyway and report failures (RFC 8460). */
    TESTING("testing"),
    /** Senders refuse MX hosts that do not match or lack a valid certificate. */
    ENFORCE("enforce"),
    /** As if there were no policy; used to retire one (§8.3). */
    NONE("none");

    private final String text;

    Mode(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static Mode parse(String text) throws InvalidException {
        for (Mode m : values()) {
            if (m.text.equals(text)) {
                return m;
            }
        }
        throw new InvalidException("mode must be one of testing, enforce, none (got \"" + text + "\")");
    }

    @Override
    public String toString() {
        return text;
    }
}
