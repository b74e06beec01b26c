package dev.mtasts.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The page is one document that loads nothing, runs nothing, and shows sender strings as text. */
class ReportPageTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static Tables tables;
    static String html;

    @BeforeAll
    static void page() throws Exception {
        tables = Tables.fresh();
        Demo.load(tables.domains(), tables.reports(), LocalDate.parse("2026-11-30"));
        String hostile = "{\"organization-name\":\"<img src=x onerror=alert(1)>\",\"date-range\":{\"start-datetime\":"
                + "\"2026-11-29T00:00:00Z\",\"end-datetime\":\"2026-11-29T23:59:59Z\"},\"report-id\":\"x\",\"policies\":"
                + "[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.org\"},\"summary\":{"
                + "\"total-successful-session-count\":1,\"total-failure-session-count\":1},\"failure-details\":[{"
                + "\"result-type\":\"</style><script>alert(2)</script>\",\"receiving-mx-hostname\":"
                + "\"\\\"><svg onload=alert(3)>\",\"failed-session-count\":1}]}]}";
        tables.store("hostile.json", hostile.getBytes(StandardCharsets.UTF_8));
        html = tables.pages(NOW).page(Set.of(), null, false).html();
    }

    @Test
    void itLoadsNothingAndRunsNothing() {
        assertTrue(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "), html.substring(0, 200));
        for (String forbidden : List.of("<script", "<link", "<img", "<iframe", "<object", "<embed", "<base", "url(",
                "@import", "src=\"", "action=")) {
            assertFalse(html.contains(forbidden), forbidden);
        }
        // links are to the page's own sections
        assertTrue(Pattern.compile("href=\"(?!#d-)").matcher(html).results().findAny().isEmpty());
    }

    @Test
    void sendersStringsAreText() {
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "organisation");
        assertTrue(html.contains("&lt;/style&gt;&lt;script&gt;alert(2)&lt;/script&gt;"), "result type");
        assertTrue(html.contains("&quot;&gt;&lt;svg onload=alert(3)&gt;"), "MX host");
        assertFalse(html.contains("<svg onload"));
    }

    @Test
    void anIndexThenASectionPerDomain() {
        assertEquals(3, html.split("<section class=\"card domain", -1).length - 1);
        for (String d : List.of("example.com", "example.org", "retired.example")) {
            assertTrue(html.contains("<td><a href=\"#d-" + d + "\">" + d + "</a></td>"), d);
        }
        for (String d : List.of("example.com", "example.org")) {
            assertTrue(html.contains("<section class=\"card domain\" id=\"d-" + d + "\">"), d);
        }
        assertEquals(List.of("3 reporters, 0.3% failed, all certificate-expired at mx2.mx.example.net since 11-28",
                "4 reporters, 1.1% failed, mostly starttls-not-supported at mx2.example.org since 11-24"), // and the hostile one
                Pattern.compile("<p class=\"verdict\">(.*?)</p>").matcher(html).results()
                        .map(m -> m.group(1).replaceAll("<[^>]+>", "")).toList());
        // a date or a result type is never split across lines
        assertTrue(html.contains("since <span class=\"nw\">11-28</span>"));
        assertFalse(html.contains("<form"), "a file has no form");
    }

    /** A domain without reports is one line, not a card of empty charts and tables. */
    @Test
    void aDomainWithoutReportsIsOneLine() {
        String brief = html.replaceAll("(?s).*(<section class=\"card domain brief\" id=\"d-retired.example\">.*?</section>).*",
                "$1");
        assertEquals("<section class=\"card domain brief\" id=\"d-retired.example\"><p><b class=\"name\">retired.example"
                + "</b> <span class=\"mode\" style=\"background:#9aa3ad\">none</span> <span class=\"state\">new</span> "
                + "<span class=\"quiet\">· No reports from <span class=\"nw\">11-01</span> to <span class=\"nw\">11-30"
                + "</span></span></p></section>", brief);
    }

    /**
     * The policy now says its id once, as short as the page's other ids (the whole id on hover): the whole id appears
     * nowhere else, not in the lifecycle's detail either.
     */
    @Test
    void policyNowSaysItsIdOnce() throws Exception {
        String id = dev.mtasts.core.Policy.parse(String.join("\n", Demo.ENFORCE)).id();
        assertTrue(html.contains("<p><b>Policy now:</b> enforce, id <code title=\"" + id + "\">" + id.substring(0, 8)
                + "</code> — ready: served on its own certificate and announced</p>"), html);
        assertEquals(1, html.split(id, -1).length - 1, "the whole id only in the title");
        assertEquals("blocked: not announced: the policy (id 0123abcd) misses mx2.example.org",
                ReportPage.shortIds("blocked: not announced: the policy (id 0123abcd0123abcd0123abcd0123abcd) misses "
                        + "mx2.example.org"));
    }

    @Test
    void onlyTheDomainsAskedForAndTheLivePageHasAForm() {
        String one = tables.pages(NOW).page(Set.of("example.org"), LocalDate.parse("2026-11-20"), true).html();
        assertEquals(1, one.split("<section class=\"card domain\"", -1).length - 1);
        assertTrue(one.contains("1 domain · 2026-11-20 to 2026-11-30 (11 days)"), one.substring(0, 3000));
        assertTrue(one.contains("<input type=\"date\" name=\"since\" value=\"2026-11-20\">"));
    }

    @Test
    void reportsNamingNoDomainOrNoResultTypeAreShownAsSuch() throws Exception {
        Tables t = Tables.fresh();
        t.store("postfix.json", Tables.fixture("postfix.json")); // no-policy-found without a domain, 1 failed
        String page = t.pages(NOW).page(Set.of(dev.mtasts.core.report.TlsReport.UNATTRIBUTED), LocalDate.parse("2026-11-01"),
                false).html();
        assertTrue(page.contains("Reports that name no policy domain, and whose file name or e-mail did not either"), page);
        assertTrue(page.contains("The reports name no result type for their 1 failed session."), page);
    }

    @Test
    void withNothingStoredThePageSaysWhatToDo() throws Exception {
        Tables empty = Tables.fresh();
        String none = empty.pages(NOW).page(Set.of(), null, false).html();
        assertTrue(none.contains("No domains and no reports yet."), none);
        empty.domains().putItem(Map.of("domain", "new.example"));
        String unseeded = empty.pages(NOW).page(Set.of(), null, false).html();
        assertTrue(unseeded.contains("<span class=\"quiet\">· No reports from <span class=\"nw\">11-01</span> to "
                + "<span class=\"nw\">11-30</span></span> · no policy yet (it is seeded from the zone&#39;s MX hosts)"
                + "</p></section>"), unseeded);
        empty.domains().putItem(Map.of("domain", "bad.example", "mode", "enforce", "mx", List.of(),
                "max_age", BigDecimal.ONE));
        assertTrue(empty.pages(NOW).page(Set.of("bad.example"), null, false).html().contains("not a valid policy: "));
        // a blocked domain without reports says why on its line
        java.time.Instant then = NOW.minusSeconds(3600);
        empty.domains().putItem(Map.of("domain", "blocked.example", "mode", "testing", "mx", List.of("mx.blocked.example"),
                "max_age", BigDecimal.valueOf(86400), dev.mtasts.core.Lifecycle.ATTRIBUTE,
                dev.mtasts.core.Lifecycle.start(then).blockedBy("records of another host are in the way: "
                        + "mta-sts.blocked.example A 192.0.2.44", then, NOW).toPlain()));
        String blocked = empty.pages(NOW).page(Set.of("blocked.example"), null, false).html();
        assertTrue(blocked.contains("<span class=\"state\">blocked</span> <span class=\"quiet\">· No reports from "
                + "<span class=\"nw\">11-01</span> to <span class=\"nw\">11-30</span></span> · records of another host "
                + "are in the way: mta-sts.blocked.example A 192.0.2.44</p></section>"), blocked);
    }
}
