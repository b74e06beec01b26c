package dev.mtasts.store;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;

/** One log line of a function: Lambda's logger (JSON log format, with level) when there is one, else stderr. */
public final class Logs {
    private Logs() {
    }

    public static void log(Context context, LogLevel level, String message) {
        if (context != null && context.getLogger() != null) {
            context.getLogger().log(message, level);
        } else {
            System.err.println(level + " " + message);
        }
    }
}
