package dev.mtasts.pages;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bar chart of days: inline SVG for the bars, HTML for the text around them, so it needs nothing from the network
 * and no script, and stays readable at any width: the bars stretch with the page (the SVG has no fixed aspect), while
 * axis labels, mark numbers and tooltips ({@code <title>}) are text at the page's own size.
 *
 * <p>Each day has a slot of {@value #SLOT} units on a plot {@value #HEIGHT} units high; a value that is not zero is
 * drawn at least {@value #MIN_HEIGHT} units high, so three failures under 10,000 successes are still seen.
 *
 * @param caption what the chart shows, for screen readers
 * @param series stacked bottom to top, one value per day of the window
 * @param reported per day, whether any report covers it (days without are marked as such, not drawn as zero)
 * @param marks numbered vertical lines, at the days given
 * @param strip an optional row of coloured cells under the bars, one per day (null for none)
 */
record Chart(String caption, Window window, List<Series> series, boolean[] reported, List<LocalDate> marks,
        Strip strip) {
    static final int SLOT = 10;
    static final int BAR = 7;
    static final int HEIGHT = 100;
    static final double MIN_HEIGHT = 1.2;

    /** A stack of bars: its name (as {@code data-series}), colour, and one value per day. */
    record Series(String name, String label, String color, long[] values) {
    }

    /** A cell of the strip: its class, colour and tooltip; null for a day without one. */
    record Cell(String kind, String color, String title) {
    }

    /**
     * A row of cells under the bars, named on its left and drawn on a track as wide as the plot, so that a row of
     * one cell still reads as a row and not as a stray mark.
     */
    record Strip(String label, List<Cell> cells) {
    }

    String html() {
        List<LocalDate> days = window.days();
        int n = days.size();
        int width = n * SLOT;
        long max = 0;
        for (int i = 0; i < n; i++) {
            long total = 0;
            for (Series s : series) {
                total += s.values()[i];
            }
            max = Math.max(max, total);
        }
        long[] ticks = ticks(max);
        long top = ticks[ticks.length - 1];
        StringBuilder b = new StringBuilder(4096);
        b.append("<div class=\"chart\" role=\"img\" aria-label=\"").append(Html.text(caption)).append("\">");
        b.append("<div class=\"marks\">");
        // marks on one day share a pin: "1,2"
        Map<Integer, List<String>> pins = new TreeMap<>();
        for (int m = 0; m < marks.size(); m++) {
            int i = days.indexOf(marks.get(m));
            if (i >= 0) {
                pins.computeIfAbsent(i, k -> new ArrayList<>()).add(Integer.toString(m + 1));
            }
        }
        pins.forEach((i, numbers) -> b.append("<span class=\"pin\" style=\"left:").append(pct(i * SLOT, width))
                .append("\">").append(String.join(",", numbers)).append("</span>"));
        b.append("</div><div class=\"y\">");
        for (long t : ticks) {
            b.append("<span style=\"bottom:").append(pct(t, top)).append("\">").append(compact(t)).append("</span>");
        }
        b.append("</div><div class=\"plot\"><svg class=\"bars\" viewBox=\"0 0 ").append(width).append(' ').append(HEIGHT)
                .append("\" preserveAspectRatio=\"none\" aria-hidden=\"true\">");
        for (long t : ticks) {
            double y = HEIGHT - (double) t / top * HEIGHT;
            b.append("<line class=\"grid\" x1=\"0\" x2=\"").append(width).append("\" y1=\"").append(num(y))
                    .append("\" y2=\"").append(num(y)).append("\" vector-effect=\"non-scaling-stroke\"/>");
        }
        for (int i = 0; i < n; i++) {
            String day = days.get(i).toString();
            double x = i * SLOT + (SLOT - BAR) / 2.0;
            if (!reported[i]) {
                b.append("<rect class=\"gap\" x=\"").append(num(x)).append("\" y=\"").append(HEIGHT - 3)
                        .append("\" width=\"").append(BAR).append("\" height=\"3\"><title>").append(day)
                        .append(": no report</title></rect>");
                continue;
            }
            double base = HEIGHT;
            for (Series s : series) {
                long v = s.values()[i];
                if (v <= 0) {
                    continue;
                }
                double h = Math.max(MIN_HEIGHT, (double) v / top * HEIGHT);
                double y = Math.max(0, base - h);
                b.append("<rect class=\"bar\" data-series=\"").append(Html.text(s.name())).append("\" data-day=\"")
                        .append(day).append("\" x=\"").append(num(x)).append("\" y=\"").append(num(y))
                        .append("\" width=\"").append(BAR).append("\" height=\"").append(num(base - y))
                        .append("\" fill=\"").append(s.color()).append("\"><title>").append(day).append(": ")
                        .append(String.format(Locale.ROOT, "%,d", v)).append(' ').append(Html.text(s.label()))
                        .append("</title></rect>");
                base = y;
            }
        }
        for (int i : pins.keySet()) {
            b.append("<line class=\"mark\" x1=\"").append(i * SLOT).append("\" x2=\"").append(i * SLOT)
                    .append("\" y1=\"0\" y2=\"").append(HEIGHT).append("\" vector-effect=\"non-scaling-stroke\"/>");
        }
        b.append("</svg></div>");
        if (strip != null) {
            b.append("<div class=\"lane\">").append(Html.text(strip.label())).append("</div>")
                    .append("<div class=\"strip\"><svg viewBox=\"0 0 ").append(width)
                    .append(" 1\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect class=\"track\" x=\"0\" y=\"0\" width=\"")
                    .append(width).append("\" height=\"1\"/>");
            for (int i = 0; i < n; i++) {
                Cell c = strip.cells().get(i);
                if (c != null) {
                    b.append("<rect class=\"cell\" data-kind=\"").append(Html.text(c.kind())).append("\" x=\"")
                            .append(i * SLOT).append("\" y=\"0\" width=\"").append(SLOT).append("\" height=\"1\" fill=\"")
                            .append(c.color()).append("\"><title>").append(days.get(i)).append(": ")
                            .append(Html.text(c.title())).append("</title></rect>");
                }
            }
            b.append("</svg></div>");
        }
        b.append("<div class=\"x\">");
        boolean longLabels = window.label(days.get(0)).length() > 5;
        int every = Math.max(1, (int) Math.ceil(n / (longLabels ? 4.0 : 7.0)));
        for (int i = 0; i < n; i += every) {
            b.append("<span style=\"left:").append(pct(i * SLOT + SLOT / 2.0, width)).append("\">")
                    .append(window.label(days.get(i))).append("</span>");
        }
        b.append("</div></div>");
        return b.toString();
    }

    /**
     * Axis values from 0 to the first multiple of a round step at or above {@code max}, in three to five steps: the
     * step is 1, 2, 2.5 or 5 times a power of ten, never below one session.
     */
    static long[] ticks(long max) {
        if (max <= 1) {
            return new long[] {0, 1};
        }
        double rough = max / 4.0;
        long power = 1;
        while (power * 10 <= rough) {
            power *= 10;
        }
        long step = power * 10;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * power >= rough && (m != 2.5 || power >= 10)) {
                step = Math.round(m * power);
                break;
            }
        }
        long top = (max + step - 1) / step * step;
        List<Long> out = new ArrayList<>();
        for (long t = 0; t <= top; t += step) {
            out.add(t);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** {@code 950}, {@code 1.5k}, {@code 20k}, {@code 3M}. */
    static String compact(long v) {
        if (v < 1000) {
            return Long.toString(v);
        }
        String[] units = {"k", "M", "G", "T"};
        double d = v;
        int u = -1;
        while (d >= 1000 && u < units.length - 1) {
            d /= 1000;
            u++;
        }
        String s = d >= 10 || d == Math.rint(d) ? Long.toString(Math.round(d)) : String.format(Locale.ROOT, "%.1f", d);
        return s + units[u];
    }

    private static String pct(double part, double whole) {
        return num(whole == 0 ? 0 : part * 100 / whole) + "%";
    }

    /** A coordinate with at most two decimals, no trailing zeros. */
    private static String num(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s.equals("-0") ? "0" : s;
    }
}
