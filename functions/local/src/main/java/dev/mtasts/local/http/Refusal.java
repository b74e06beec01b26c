package dev.mtasts.local.http;

/** A request the listener answers itself, with a status and a reason in one line of our own words. */
final class Refusal extends Exception {
    final int status;

    Refusal(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }
}
