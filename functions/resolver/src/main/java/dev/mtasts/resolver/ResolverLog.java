package dev.mtasts.resolver;

import dev.mtasts.core.Quote;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

/**
 * One line per event, {@code 2025-12-02T06:10:00Z info  example.com: …}: every answer with the reason for it, every
 * fetch and recheck with what it found. Lines go to standard error, where systemd's journal takes them.
 *
 * <p>A message is written escaped ({@link Quote#escaped}): a key a client looked up may hold line breaks, terminal
 * escapes or NULs, and it must neither start a line of its own nor reach the terminal of whoever reads the log.
 */
public final class ResolverLog {
    /** Verbosity, as mta-sts-daemon's {@code -v}. */
    public enum Level {
        DEBUG, INFO, WARN, ERROR;

        public static Level parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "debug" -> DEBUG;
                case "info" -> INFO;
                case "warn", "warning" -> WARN;
                case "error", "fatal", "crit" -> ERROR;
                default -> throw new IllegalArgumentException("the log level must be debug, info, warn or error (got \""
                        + text + "\")");
            };
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The label as a line shows it, padded to five characters. */
        private final String column = String.format(Locale.ROOT, "%-5s", name().toLowerCase(Locale.ROOT));
    }

    /** The last second a line was written in, and how it was written (one format per second, not per line). */
    private record Second(long epochSecond, String text) {
    }

    private final PrintWriter out;
    private final Level threshold;
    private final Clock clock;
    private volatile Second second = new Second(Long.MIN_VALUE, "");

    public ResolverLog(PrintWriter out, Level threshold, Clock clock) {
        this.out = out;
        this.threshold = threshold;
        this.clock = clock;
    }

    public boolean enabled(Level level) {
        return level.compareTo(threshold) >= 0;
    }

    public void debug(String message) {
        log(Level.DEBUG, message);
    }

    public void info(String message) {
        log(Level.INFO, message);
    }

    public void warn(String message) {
        log(Level.WARN, message);
    }

    public void error(String message) {
        log(Level.ERROR, message);
    }

    /** {@code 2025-12-02T06:10:00Z}: every answer is logged, so the time is formatted once a second. */
    private String timestamp() {
        long now = clock.instant().getEpochSecond();
        Second s = second;
        if (s.epochSecond() != now) {
            s = new Second(now, Instant.ofEpochSecond(now).toString());
            second = s;
        }
        return s.text();
    }

    public void log(Level level, String message) {
        if (!enabled(level)) {
            return;
        }
        String line = timestamp() + " " + level.column + " " + Quote.escaped(message, Integer.MAX_VALUE);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
