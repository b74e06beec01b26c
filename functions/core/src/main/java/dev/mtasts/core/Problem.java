package dev.mtasts.core;

/**
 * One reason why a policy, row or record is not valid.
 *
 * @param line 1-based line of a policy file, or 0 when the problem is about the whole input (a missing field, a
 *     row attribute)
 */
public record Problem(int line, String message) {

    public static Problem at(int line, String message) {
        return new Problem(line, message);
    }

    public static Problem whole(String message) {
        return new Problem(0, message);
    }

    @Override
    public String toString() {
        return line > 0 ? "line " + line + ": " + message : message;
    }
}
