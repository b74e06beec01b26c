package dev.mtasts.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.core.DomainName;
import dev.mtasts.pages.ReportPage;
import dev.mtasts.pages.ReportPages;
import dev.mtasts.pages.Window;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Quote;
import dev.mtasts.store.StoreUnavailableException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The local stack's own route, in front of the policy function: {@code GET /} on any host that is not a policy
 * host ({@code mta-sts.*}), such as {@code http://127.0.0.1:8080/}, is the reports page, read from the tables on
 * each request; {@code ?since=YYYY-MM-DD} and {@code ?domain=D} (repeatable) do what the options of
 * {@code reports --html} do. Everything else, and every request to an {@code mta-sts.*} host, goes to the policy
 * function unchanged. AWS has no such route: there the page is made with {@code reports --html}.
 */
final class PageRoute implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    /** Domains one page may ask for: each costs two queries. */
    static final int MAX_DOMAINS = 50;
    private final RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> policy;
    private final ReportPages pages;

    public PageRoute(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> policy, ReportPages pages) {
        this.policy = policy;
        this.pages = pages;
    }

    /** Whether a request is the page's: GET or HEAD of {@code /} on a host that is not {@code mta-sts.*}. */
    static boolean isPage(APIGatewayV2HTTPEvent event) {
        var http = event.getRequestContext() == null ? null : event.getRequestContext().getHttp();
        String method = http == null || http.getMethod() == null ? "" : http.getMethod().toUpperCase(Locale.ROOT);
        String host = "";
        if (event.getHeaders() != null) {
            for (Map.Entry<String, String> h : event.getHeaders().entrySet()) {
                if ("host".equalsIgnoreCase(h.getKey()) && h.getValue() != null) {
                    host = h.getValue().strip().toLowerCase(Locale.ROOT);
                }
            }
        }
        return (method.equals("GET") || method.equals("HEAD")) && "/".equals(event.getRawPath())
                && !host.startsWith("mta-sts.");
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        if (!isPage(event)) {
            return policy.handleRequest(event, context);
        }
        LocalDate since = null;
        Set<String> only = new LinkedHashSet<>();
        String query = event.getRawQueryString() == null ? "" : event.getRawQueryString();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).strip();
            try {
                if (name.equals("since") && !value.isEmpty()) {
                    since = LocalDate.parse(value);
                } else if (name.equals("domain") && !value.isEmpty()) {
                    only.add(DomainName.parse(value.toLowerCase(Locale.ROOT)).value());
                }
            } catch (DateTimeParseException e) {
                return text(400, "since must be a date like 2026-11-01 (got " + Quote.of(value) + ")\n");
            } catch (InvalidException e) {
                return text(400, "domain " + Quote.of(value) + ": " + e.getMessage() + "\n");
            }
        }
        if (only.size() > MAX_DOMAINS) {
            return text(400, "at most " + MAX_DOMAINS + " domain= a page\n");
        }
        try {
            String html = pages.page(only, since, true).html();
            return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                    .withHeaders(Map.of("Content-Type", "text/html; charset=utf-8", "Cache-Control", "no-store",
                            "Content-Security-Policy", ReportPage.CSP, "X-Content-Type-Options", "nosniff"))
                    .withBody(html).withIsBase64Encoded(false).build();
        } catch (Window.OutOfReach e) {
            return text(400, "since " + e.getMessage() + "\n");
        } catch (StoreUnavailableException e) {
            return text(503, "The tables cannot be read now: " + e.getMessage() + "\n");
        }
    }

    private static APIGatewayV2HTTPResponse text(int status, String body) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "text/plain; charset=utf-8", "Cache-Control", "no-store"))
                .withBody(body).withIsBase64Encoded(false).build();
    }
}
