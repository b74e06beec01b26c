package dev.mtasts.pages;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The days a page covers, both ends included. */
public record Window(LocalDate from, LocalDate to) {
    /** Days covered when no start is given: the last thirty, today included. */
    public static final int DEFAULT_DAYS = 30;
    /** The furthest back a window may start: the tables keep a report 400 days ({@code REPORT_TTL_DAYS}). */
    public static final int MAX_DAYS = 400;

    public Window {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException(to + " is before " + from);
        }
    }

    /**
     * From {@code since} (else {@link #DEFAULT_DAYS} back) to today.
     *
     * @throws OutOfReach, saying why in one line, when {@code since} is more than {@link #MAX_DAYS} back or after
     *     today: whatever the tables hold, a window is at most that long
     */
    public static Window of(LocalDate since, LocalDate today) {
        if (since != null && since.isBefore(today.minusDays(MAX_DAYS - 1))) {
            throw new OutOfReach(since + " is more than " + MAX_DAYS + " days back (the tables keep "
                    + "reports " + MAX_DAYS + " days); the earliest is " + today.minusDays(MAX_DAYS - 1));
        }
        if (since != null && since.isAfter(today)) {
            throw new OutOfReach(since + " is after today (" + today + ")");
        }
        return new Window(since != null ? since : today.minusDays(DEFAULT_DAYS - 1), today);
    }

    /** A start no window may have; the message says why in one line. */
    public static final class OutOfReach extends IllegalArgumentException {
        OutOfReach(String message) {
            super(message);
        }
    }

    /** The same window, to {@code day} if that is later: a report may be dated up to a day ahead (clocks differ). */
    public Window through(LocalDate day) {
        return day.isAfter(to) ? new Window(from, day) : this;
    }

    public List<LocalDate> days() {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            days.add(d);
        }
        return days;
    }

    public int length() {
        return (int) ChronoUnit.DAYS.between(from, to) + 1;
    }

    public boolean contains(LocalDate d) {
        return !d.isBefore(from) && !d.isAfter(to);
    }

    /** {@code 11-28}; with the year ({@code 2026-11-28}) when the window spans two years. */
    public String label(LocalDate d) {
        return from.getYear() == to.getYear() ? d.toString().substring(5) : d.toString();
    }
}
