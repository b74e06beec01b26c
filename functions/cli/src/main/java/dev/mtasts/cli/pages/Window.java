package dev.mtasts.cli.pages;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The days a page covers, both ends included. */
public record Window(LocalDate from, LocalDate to) {
    /** Days covered when no start is given: the last thirty, today included. */
    public static final int DEFAULT_DAYS = 30;

    public Window {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException(to + " is before " + from);
        }
    }

    /** From {@code since} (else {@link #DEFAULT_DAYS} back) to today, or to a later day that has reports. */
    public static Window of(LocalDate since, LocalDate today, LocalDate lastReported) {
        LocalDate to = lastReported != null && lastReported.isAfter(today) ? lastReported : today;
        LocalDate from = since != null ? since : today.minusDays(DEFAULT_DAYS - 1);
        return new Window(from, from.isAfter(to) ? from : to);
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
