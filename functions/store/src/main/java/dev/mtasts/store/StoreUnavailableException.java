package dev.mtasts.store;

/** DynamoDB could not be reached or refused for a passing reason (throttling, 5xx, timeout): try again later. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
