package dev.mtasts.cli;

/** max_age in words a mail admin reads at a glance. */
final class Durations {
    private Durations() {
    }

    static String describe(long seconds) {
        if (seconds == 0) {
            return "no caching";
        }
        long[] units = {86_400, 3_600, 60, 1};
        String[] names = {"day", "hour", "minute", "second"};
        for (int i = 0; i < units.length; i++) {
            if (seconds >= units[i]) {
                long n = seconds / units[i];
                long rest = seconds % units[i];
                return (rest == 0 ? "" : "about ") + n + " " + names[i] + (n == 1 ? "" : "s");
            }
        }
        return seconds + " seconds";
    }
}
