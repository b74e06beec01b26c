package dev.mtasts.pages;

import dev.mtasts.core.report.TlsReport;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The page: one self-contained HTML document. Its only style is inline CSS and its charts inline SVG; it has no
 * script, and its Content-Security-Policy forbids any request, so opening it (from a file, a mail attachment or the
 * local stack) fetches nothing. Narrow screens get one column; printing gives a page per domain.
 *
 * @param source where the figures were read, in plain words
 * @param live whether the local stack serves it (then it offers a form to change the first day)
 */
public record ReportPage(List<DomainReport> domains, Window window, Instant generated, String source, boolean live) {
    /** Rows of the MX, IP and reporter tables; the rest are counted. */
    static final int TOP = 10;
    public static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
            + "base-uri 'none'";
    private static final DateTimeFormatter GENERATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    public ReportPage {
        domains = List.copyOf(domains);
    }

    public String html() {
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>TLS reports ").append(window.from()).append(" to ").append(window.to()).append("</title>")
                .append("<style>").append(CSS).append("</style></head><body><main>");
        header(b);
        if (domains.isEmpty()) {
            b.append("<p class=\"empty\">No domains and no reports yet. Add a domain with <code>mta-sts domain add "
                    + "example.com</code>; senders then report to <code>https://mta-sts.example.com/v1/tlsrpt</code>, "
                    + "or store report files with <code>mta-sts report ingest FILE…</code>.</p>");
        } else {
            index(b);
            for (DomainReport d : domains) {
                domain(b, d);
            }
        }
        footer(b);
        b.append("</main></body></html>\n");
        return b.toString();
    }

    private void header(StringBuilder b) {
        b.append("<header class=\"top\"><h1>SMTP TLS reports</h1><p class=\"sub\">")
                .append(Verdict.count(domains.size(), "domain")).append(" · ").append(window.from()).append(" to ")
                .append(window.to()).append(" (").append(Verdict.count(window.length(), "day")).append(") · ")
                .append(Html.text(source)).append(" · made ").append(GENERATED.format(generated)).append("</p>");
        if (live) {
            b.append("<form class=\"live\" method=\"get\" action=\"/\"><label>From <input type=\"date\" name=\"since\" value=\"")
                    .append(window.from()).append("\"></label> <button type=\"submit\">Show</button>")
                    .append(" <span>Live from the local stack: reload for the latest reports.</span></form>");
        }
        b.append("</header>");
    }

    private void index(StringBuilder b) {
        b.append("<nav class=\"card index\"><table><thead><tr><th>Domain</th><th>Policy</th>")
                .append("<th class=\"num\">Sessions</th><th class=\"num\">Failed</th><th class=\"wide\">Verdict</th>")
                .append("</tr></thead><tbody>");
        for (DomainReport d : domains) {
            b.append("<tr><td><a href=\"#").append(Html.text(anchor(d.domain()))).append("\">")
                    .append(Html.text(d.domain())).append("</a></td><td>").append(mode(d)).append("</td><td class=\"num\">")
                    .append(n(d.sessions())).append("</td><td class=\"num").append(d.failed() > 0 ? " bad" : "")
                    .append("\">").append(n(d.failed())).append("</td><td class=\"wide\">")
                    .append(words(Verdict.of(d))).append("</td></tr>");
        }
        b.append("</tbody></table></nav>");
    }

    static String anchor(String domain) {
        return "d-" + domain;
    }

    private static String mode(DomainReport d) {
        DomainReport.PolicyNow p = d.policy();
        if (p == null) {
            return "<span class=\"mode\">no row</span>";
        }
        String mode = p.mode() == null ? "no policy" : p.mode();
        return "<span class=\"mode\" style=\"background:" + Looks.mode(p.mode()) + "\">" + Html.text(mode)
                + "</span> <span class=\"state\">" + Html.text(p.state()) + "</span>";
    }

    private void domain(StringBuilder b, DomainReport d) {
        if (d.reportedDays() == 0) {
            brief(b, d);
            return;
        }
        b.append("<section class=\"card domain\" id=\"").append(Html.text(anchor(d.domain()))).append("\">")
                .append("<h2>").append(Html.text(d.domain())).append(" ").append(mode(d)).append("</h2>")
                .append("<p class=\"verdict\">").append(words(Verdict.of(d))).append("</p>");
        String advice = Verdict.advice(d);
        if (advice != null) {
            b.append("<p class=\"advice\">").append(Html.text(advice)).append("</p>");
        }
        b.append("<div class=\"kpis\">");
        kpi(b, n(d.sessions()), "sessions", false);
        kpi(b, n(d.failed()), "failed (" + Verdict.percent(d.failed(), d.sessions()) + ")", d.failed() > 0);
        kpi(b, n(d.reports()), "reports", false);
        kpi(b, n(d.reporters().size()), "reporters", false);
        kpi(b, d.reportedDays() + "/" + window.length(), "days reported", false);
        b.append("</div><div class=\"charts\">");
        sessionsChart(b, d);
        failuresChart(b, d);
        b.append("</div><div class=\"tables\">");
        ranked(b, "Failing MX hosts", "MX host", d.mxHosts(), d.detailsCut());
        ranked(b, "Sending IPs of failed sessions", "Sending MTA", d.sendingIps(), d.detailsCut());
        reporters(b, d);
        b.append("</div>");
        dayByDay(b, d);
        b.append("</section>");
    }

    /**
     * A domain without a report in the window: one line (its policy now and the problem with it, if any), not a
     * card of empty charts and tables.
     */
    private void brief(StringBuilder b, DomainReport d) {
        b.append("<section class=\"card domain brief\" id=\"").append(Html.text(anchor(d.domain()))).append("\"><p>")
                .append("<b class=\"name\">").append(Html.text(d.domain())).append("</b> ").append(mode(d))
                .append(" <span class=\"quiet\">· ").append(words(Verdict.of(d))).append("</span>");
        DomainReport.PolicyNow p = d.policy();
        String problem = p == null ? "no row in the domains table" : p.mode() == null ? p.problem()
                : "blocked".equals(p.state()) ? p.detail() : null;
        if (problem != null) {
            b.append(" · ").append(Html.text(shortIds(problem)));
        }
        b.append("</p></section>");
    }

    private static void kpi(StringBuilder b, String value, String what, boolean bad) {
        b.append("<div class=\"kpi").append(bad ? " bad" : "").append("\"><b>").append(Html.text(value))
                .append("</b><span>").append(Html.text(what)).append("</span></div>");
    }

    private void sessionsChart(StringBuilder b, DomainReport d) {
        List<DomainReport.Day> days = d.days();
        long[] ok = new long[days.size()];
        long[] failed = new long[days.size()];
        boolean[] reported = new boolean[days.size()];
        for (int i = 0; i < days.size(); i++) {
            ok[i] = days.get(i).successful();
            failed[i] = days.get(i).failed();
            reported[i] = days.get(i).reported();
        }
        List<Chart.Cell> strip = new ArrayList<>();
        for (DomainReport.Day day : days) {
            DomainReport.Seen s = d.seen().stream().filter(x -> x.date().equals(day.date())).findFirst().orElse(null);
            strip.add(s == null ? null : new Chart.Cell(s.mode(), Looks.mode(s.mode()),
                    "most sessions under " + s.mode() + ", id " + DomainReport.shortId(s.id())));
        }
        Chart.Strip policies = d.seen().isEmpty() ? null : new Chart.Strip("policy", strip);
        boolean anySeen = policies != null;
        b.append("<figure class=\"sessions\"><figcaption>Sessions per day</figcaption>")
                .append(new Chart("Sessions per day, ok and failed", window,
                        List.of(new Chart.Series("ok", "ok", Looks.OK, ok),
                                new Chart.Series("failed", "failed", Looks.FAILED, failed)),
                        reported, d.marks().stream().map(DomainReport.Mark::date).toList(), policies).html())
                .append("<ul class=\"legend\">").append(swatch(Looks.OK, "ok")).append(swatch(Looks.FAILED, "failed"))
                .append("<li><span class=\"sw gap\"></span>no report</li>");
        if (anySeen) {
            d.seen().stream().map(DomainReport.Seen::mode).distinct().sorted()
                    .forEach(m -> b.append(swatch(Looks.mode(m), "policy senders saw: " + m)));
        }
        b.append("</ul>");
        policy(b, d);
        b.append("</figure>");
    }

    private void policy(StringBuilder b, DomainReport d) {
        b.append("<div class=\"policy\">");
        DomainReport.PolicyNow p = d.policy();
        if (p == null) {
            b.append(d.domain().equals(TlsReport.UNATTRIBUTED)
                    ? "<p>Reports that name no policy domain, and whose file name or e-mail did not either: kept here,"
                            + " never dropped.</p>"
                    : "<p>No row in the domains table: these reports are for a domain this stack does not serve.</p>");
        } else {
            b.append("<p><b>Policy now:</b> ");
            String detail = p.detail();
            if (p.mode() != null) {
                b.append(Html.text(p.mode())).append(", id ").append(id(p.id()));
                detail = detail.replace(" (id " + p.id() + ")", ""); // "announced (id …)": said just before
            } else {
                b.append(Html.text(p.problem()));
            }
            b.append(" — ").append(Html.text(p.state())).append(": ").append(Html.text(shortIds(detail)));
            if (p.announcedId() != null && !p.announcedId().equals(p.id())) {
                b.append("; <code>_mta-sts</code> still announces ").append(id(p.announcedId()));
            }
            b.append("</p>");
        }
        if (!d.marks().isEmpty()) {
            b.append("<ol class=\"changes\">");
            for (DomainReport.Mark m : d.marks()) {
                b.append("<li><b>").append(window.label(m.date())).append("</b> ").append(Html.text(m.text()))
                        .append("</li>");
            }
            b.append("</ol>");
        } else if (!d.seen().isEmpty()) {
            DomainReport.Seen first = d.seen().get(0);
            b.append("<p class=\"quiet\">Senders saw one policy all along: ").append(Html.text(first.mode()))
                    .append(", id <code>").append(Html.text(DomainReport.shortId(first.id()))).append("</code>.</p>");
        }
        b.append("</div>");
    }

    private void failuresChart(StringBuilder b, DomainReport d) {
        b.append("<figure class=\"failures\"><figcaption>Failed sessions per day, by result type</figcaption>");
        if (d.resultTypes().isEmpty()) {
            b.append("<p class=\"none\">").append(d.reportedDays() == 0 ? "No reports." : d.failed() == 0 ? "No failures."
                    : "The reports name no result type for their " + Verdict.count(d.failed(), "failed session") + ".")
                    .append("</p></figure>");
            return;
        }
        List<DomainReport.Day> days = d.days();
        boolean[] reported = new boolean[days.size()];
        for (int i = 0; i < days.size(); i++) {
            reported[i] = days.get(i).reported();
        }
        List<Chart.Series> series = new ArrayList<>();
        for (int t = 0; t < d.resultTypes().size(); t++) {
            String type = d.resultTypes().get(t);
            long[] v = new long[days.size()];
            for (int i = 0; i < days.size(); i++) {
                v[i] = days.get(i).failures().getOrDefault(type, 0L);
            }
            series.add(new Chart.Series(type, type, Looks.color(type, t), v));
        }
        b.append(new Chart("Failed sessions per day by result type", window, series, reported, List.of(), null).html());
        b.append("<ul class=\"legend types\">");
        for (Chart.Series s : series) {
            String meaning = Looks.meaning(s.name(), d.domain());
            b.append("<li><span class=\"sw\" style=\"background:").append(s.color()).append("\"></span><b>")
                    .append(Html.text(s.name())).append("</b> ").append(n(d.failed(s.name())));
            if (meaning != null) {
                b.append(" <span class=\"meaning\">— ").append(Html.text(meaning)).append("</span>");
            }
            b.append("</li>");
        }
        b.append("</ul></figure>");
    }

    private void ranked(StringBuilder b, String title, String column, List<DomainReport.Ranked> rows, boolean cut) {
        b.append("<div class=\"table\"><h3>").append(title).append("</h3>");
        if (rows.isEmpty()) {
            b.append("<p class=\"none\">None named.</p></div>");
            return;
        }
        long max = rows.get(0).failed();
        b.append("<table><thead><tr><th>").append(column).append("</th><th class=\"num\">Failed</th></tr></thead><tbody>");
        for (DomainReport.Ranked r : rows.subList(0, Math.min(TOP, rows.size()))) {
            b.append("<tr><td class=\"name\">").append(Html.text(r.name())).append(bar(r.failed(), max, Looks.FAILED))
                    .append("<span class=\"sub\">").append(Html.text(r.mainType())).append(" · ")
                    .append(window.label(r.first())).append(r.first().equals(r.last()) ? "" : " to " + window.label(r.last()))
                    .append("</span></td><td class=\"num\">").append(n(r.failed())).append("</td></tr>");
        }
        b.append("</tbody></table>");
        if (rows.size() > TOP) {
            b.append("<p class=\"more\">and ").append(rows.size() - TOP).append(" more</p>");
        }
        if (cut) {
            b.append("<p class=\"note\">Some reports had more failure details than the 20 largest each report keeps here.</p>");
        }
        b.append("</div>");
    }

    private void reporters(StringBuilder b, DomainReport d) {
        b.append("<div class=\"table\"><h3>Reporters</h3>");
        if (d.reporters().isEmpty()) {
            b.append("<p class=\"none\">None yet.</p></div>");
            return;
        }
        long max = d.reporters().stream().mapToLong(r -> r.successful() + r.failed()).max().orElse(1);
        b.append("<table><thead><tr><th>Organisation</th><th class=\"num\">Sessions</th>")
                .append("<th class=\"num\">Failed</th></tr></thead><tbody>");
        List<DomainReport.Reporter> rows = d.reporters();
        for (DomainReport.Reporter r : rows.subList(0, Math.min(TOP, rows.size()))) {
            long sessions = r.successful() + r.failed();
            b.append("<tr><td class=\"name\">").append(Html.text(r.name())).append(bar(sessions, max, Looks.OK))
                    .append("<span class=\"sub\">").append(Verdict.count(r.reports(), "report")).append("</span>")
                    .append("</td><td class=\"num\">").append(n(sessions)).append("</td><td class=\"num")
                    .append(r.failed() > 0 ? " bad" : "").append("\">")
                    .append(r.failed() == 0 ? "0" : n(r.failed()) + "<span class=\"sub\">"
                            + Verdict.percent(r.failed(), sessions) + "</span>")
                    .append("</td></tr>");
        }
        b.append("</tbody></table>");
        if (rows.size() > TOP) {
            b.append("<p class=\"more\">and ").append(rows.size() - TOP).append(" more</p>");
        }
        if (d.undetailed() > 0) {
            b.append("<p class=\"note\">").append(Verdict.count(d.undetailed(), "more report"))
                    .append(" counted in the days above: a day keeps who sent, MX hosts and IPs of ")
                    .append(dev.mtasts.store.ReportStore.MAX_DETAILED).append(" reports.</p>");
        }
        b.append("</div>");
    }

    private static String bar(long v, long max, String color) {
        double w = max <= 0 ? 0 : Math.max(1, v * 100.0 / max);
        return "<span class=\"hbar\" style=\"width:" + String.format(Locale.ROOT, "%.1f", w) + "%;background:" + color
                + "\"></span>";
    }

    private void dayByDay(StringBuilder b, DomainReport d) {
        b.append("<details><summary>Day by day</summary><table class=\"days\"><thead><tr><th>Day</th>")
                .append("<th class=\"num\">ok</th><th class=\"num\">failed</th><th>failures</th><th>reporters</th>")
                .append("</tr></thead><tbody>");
        List<DomainReport.Day> days = new ArrayList<>(d.days());
        java.util.Collections.reverse(days);
        for (DomainReport.Day day : days) {
            if (!day.reported()) {
                b.append("<tr class=\"quiet\"><td>").append(day.date()).append("</td><td colspan=\"4\">no report</td></tr>");
                continue;
            }
            StringBuilder failures = new StringBuilder();
            day.failures().entrySet().stream()
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> failures.append(failures.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                            .append(n(e.getValue())));
            String reporters = String.join(", ", new java.util.TreeSet<>(day.reporters()))
                    + (day.otherReporters() == 0 ? "" : " and " + day.otherReporters() + " reports by others");
            b.append("<tr><td>").append(day.date()).append("</td><td class=\"num\">").append(n(day.successful()))
                    .append("</td><td class=\"num").append(day.failed() > 0 ? " bad" : "").append("\">")
                    .append(n(day.failed())).append("</td><td>").append(Html.text(failures.toString())).append("</td><td>")
                    .append(Html.text(reporters)).append("</td></tr>");
        }
        b.append("</tbody></table></details>");
    }

    private void footer(StringBuilder b) {
        b.append("<footer><p>Sessions and result types are the stack's day summaries: each report counted once, on")
                .append(" the UTC day its range starts, and the same sessions under two policy types (DANE and")
                .append(" MTA-STS) once. MX hosts and sending IPs come from the failure details each report names;")
                .append(" policy ids are the ids this stack gives the policy bodies senders reported")
                .append(" (<code>policy-string</code>, RFC 8460 §4.4), recorded for reports stored since they are kept.")
                .append("</p><p>Made by <code>mta-sts reports --html</code>. No scripts, nothing loaded from the")
                .append(" network.</p></footer>");
    }

    /** Text with its hyphenated words (dates, result types) kept on one line: {@code since 11-28}, never {@code 11-} {@code 28}. */
    static String words(String text) {
        StringBuilder b = new StringBuilder();
        for (String w : text.split(" ", -1)) {
            b.append(b.length() == 0 ? "" : " ");
            b.append(w.contains("-") && w.length() <= 32 ? "<span class=\"nw\">" + Html.text(w) + "</span>" : Html.text(w));
        }
        return b.toString();
    }

    /** A policy id as the page shows it: its first 8 characters, the whole id on hover. */
    private static String id(String id) {
        return "<code title=\"" + Html.text(id) + "\">" + Html.text(DomainReport.shortId(id)) + "</code>";
    }

    /** The 32-character policy ids in a sentence of the stack's, shortened as the page shows them. */
    static String shortIds(String text) {
        return text.replaceAll("\\b([0-9a-f]{8})[0-9a-f]{24}\\b", "$1");
    }

    private static String swatch(String color, String label) {
        return "<li><span class=\"sw\" style=\"background:" + color + "\"></span>" + Html.text(label) + "</li>";
    }

    private static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    static final String CSS = """
            :root{--ink:#1d232b;--muted:#5f6b7a;--line:#e3e7ec;--bg:#f3f5f8;--card:#fff;--bad:#b3261e}
            *{box-sizing:border-box}
            body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
            main{max-width:1180px;margin:0 auto;padding:20px 16px 40px}
            h1{font-size:26px;margin:0 0 4px}
            h2{font-size:21px;margin:0 0 6px;display:flex;flex-wrap:wrap;align-items:center;gap:8px;overflow-wrap:anywhere}
            h3{font-size:14px;margin:0 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
            code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}
            a{color:#1f5fae;text-decoration:none}
            .sub{color:var(--muted);margin:0}
            .live{margin:10px 0 0;color:var(--muted);font-size:14px}
            .live input,.live button{font:inherit}
            .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:18px 0;box-shadow:0 1px 2px rgba(20,30,40,.05)}
            .brief{padding:10px 20px;margin:10px 0}
            .brief p{margin:0;display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px}
            .brief .name{font-size:17px}
            table{border-collapse:collapse;width:100%;font-size:14px}
            th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em;border-bottom:1px solid var(--line);padding:4px 8px 4px 0}
            td{padding:5px 8px 5px 0;border-bottom:1px solid #f0f2f5;vertical-align:top}
            .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .bad{color:var(--bad)}
            .mode{display:inline-block;white-space:nowrap;color:#fff;background:#8a96a3;border-radius:999px;padding:1px 10px;font-size:13px;font-weight:600}
            .state{color:var(--muted);font-size:13px;font-weight:400}
            .verdict{font-size:18px;margin:4px 0 10px}
            .advice{margin:0 0 10px;padding:8px 12px;background:#eef7f0;border-left:3px solid #2b7a4b;border-radius:4px}
            .kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(104px,1fr));gap:10px;margin:8px 0 16px}
            .kpi{background:#f7f9fb;border:1px solid var(--line);border-radius:8px;padding:8px 10px}
            .kpi b{display:block;font-size:21px;font-variant-numeric:tabular-nums}
            .kpi span{color:var(--muted);font-size:13px}
            .kpi.bad b{color:var(--bad)}
            .charts{display:grid;grid-template-columns:1fr 1fr;gap:18px}
            figure{margin:0;min-width:0}
            figcaption{font-weight:600;margin:0 0 6px}
            .chart{display:grid;grid-template-columns:3em 1fr;grid-template-rows:18px 170px auto 22px;column-gap:6px}
            .chart .marks{grid-column:2;grid-row:1;position:relative}
            .chart .pin{position:absolute;transform:translateX(-50%);font-size:11px;line-height:16px;min-width:16px;text-align:center;border-radius:8px;background:#1d232b;color:#fff;padding:0 3px}
            .chart .y{grid-column:1;grid-row:2;position:relative}
            .chart .y span{position:absolute;right:0;transform:translateY(50%);font-size:12px;color:var(--muted);font-variant-numeric:tabular-nums}
            .chart .plot{grid-column:2;grid-row:2;position:relative;border-bottom:1px solid #b9c1ca}
            .chart svg{position:absolute;inset:0;width:100%;height:100%;overflow:visible}
            .chart .grid{stroke:#e8ebef;stroke-width:1}
            .chart line.mark{stroke:#1d232b;stroke-width:1;stroke-dasharray:4 3}
            .chart .gap{fill:#d5dae0}
            .chart .strip{grid-column:2;grid-row:3;position:relative;height:9px;margin-top:3px}
            .chart .lane{grid-column:1;grid-row:3;margin-top:3px;font-size:10px;line-height:9px;text-align:right;color:var(--muted)}
            .chart .track{fill:#edf0f3}
            .chart .x{grid-column:2;grid-row:4;position:relative}
            .chart .x span{position:absolute;top:3px;transform:translateX(-50%);font-size:12px;color:var(--muted);white-space:nowrap}
            .legend{list-style:none;padding:0;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px;color:var(--muted)}
            .legend.types{display:block}
            .legend.types li{margin:2px 0}
            .legend b{color:var(--ink);font-weight:600}
            .sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
            .sw.gap{background:#d5dae0}
            .policy{font-size:14px;margin-top:10px}
            .policy p{margin:4px 0}
            .changes{margin:4px 0;padding-left:22px}
            .quiet{color:var(--muted)}
            .nw{white-space:nowrap}
            .none{color:var(--muted);font-style:italic}
            .tables{display:grid;grid-template-columns:repeat(3,1fr);gap:18px;margin-top:18px}
            .table{min-width:0}
            td.name{overflow-wrap:anywhere}
            td .sub{display:block;font-size:12px;color:var(--muted)}
            .hbar{display:block;height:4px;border-radius:2px;margin-top:3px;opacity:.75}
            .more,.note{color:var(--muted);font-size:13px;margin:6px 0 0}
            details{margin-top:16px}
            summary{cursor:pointer;color:#1f5fae}
            .days td{white-space:normal}
            footer{color:var(--muted);font-size:13px;margin-top:24px}
            .empty{font-size:16px}
            @media (max-width:900px){.charts,.tables{grid-template-columns:1fr}}
            @media (max-width:560px){main{padding:12px 10px 30px}.card{padding:14px 12px}h1{font-size:22px}
              .verdict{font-size:16px}.kpi b{font-size:18px}.index .wide{display:none}
              .chart{grid-template-rows:18px 140px auto 22px;grid-template-columns:2.4em 1fr}.chart .y span,.chart .x span{font-size:11px}}
            @media print{body{background:#fff;font-size:12px}main{max-width:none;padding:0}
              .card{border:0;box-shadow:none;padding:0;margin:0 0 12px}
              .domain:not(.brief)~.domain:not(.brief){break-before:page}.live,details{display:none}
              .charts{grid-template-columns:1fr 1fr}.tables{grid-template-columns:1fr 1fr 1fr}
              .chart{grid-template-rows:16px 130px auto 20px}
              figure,.table,.kpis,tr{break-inside:avoid}
              *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
              a{color:inherit}}
            """;
}
