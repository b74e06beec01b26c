package dev.mtasts.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.pages.Demo;
import dev.mtasts.pages.ReportPage;
import dev.mtasts.pages.Tables;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The local stack's page route is chosen by Host: GET or HEAD of / on anything but a policy host; everything else
 * reaches the policy function as before (here a stand-in answering 418, which is all this unit needs of it).
 */
class PageRouteTest {
    static PageRoute route;

    @BeforeAll
    static void route() throws Exception {
        Tables t = Tables.fresh();
        Demo.load(t.domains(), t.reports(), LocalDate.parse("2026-11-30"));
        route = new PageRoute((event, context) -> APIGatewayV2HTTPResponse.builder().withStatusCode(418).build(),
                t.pages(Instant.parse("2026-11-30T12:00:00Z")));
    }

    static APIGatewayV2HTTPEvent event(String method, String host, String path, String query) {
        Map<String, String> headers = new HashMap<>();
        if (!host.equals("-")) {
            headers.put("host", host);
        }
        return APIGatewayV2HTTPEvent.builder().withRawPath(path).withRawQueryString(query).withHeaders(headers)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path)
                                .build()).build())
                .build();
    }

    @ParameterizedTest(name = "{0} {1}{2}?{3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "GET  | 127.0.0.1:8080         | /                        |                              | 200",
        "HEAD | 127.0.0.1:8080         | /                        |                              | 200",
        "GET  | localhost              | /                        | since=2026-11-20             | 200",
        "GET  | -                      | /                        |                              | 200",
        "GET  | 127.0.0.1:8080         | /                        | domain=example.org&domain=example.com | 200",
        "GET  | 127.0.0.1:8080         | /                        | since=yesterday              | 400",
        "GET  | 127.0.0.1:8080         | /                        | domain=not%20a%20domain      | 400",
        "GET  | mta-sts.example.com    | /                        |                              | 418",
        "GET  | MTA-STS.example.com:80 | /                        |                              | 418",
        "GET  | mta-sts.example.com    | /.well-known/mta-sts.txt |                              | 418",
        "GET  | 127.0.0.1:8080         | /.well-known/mta-sts.txt |                              | 418",
        "GET  | 127.0.0.1:8080         | /favicon.ico             |                              | 418",
        "POST | 127.0.0.1:8080         | /                        |                              | 418",
    })
    void chosenByHostMethodAndPath(String method, String host, String path, String query, int status) {
        APIGatewayV2HTTPResponse r = route.handleRequest(event(method, host, path, query == null ? "" : query), null);
        assertEquals(status, r.getStatusCode(), r.getBody());
        if (status == 200) {
            assertEquals("text/html; charset=utf-8", r.getHeaders().get("Content-Type"));
            assertEquals(ReportPage.CSP, r.getHeaders().get("Content-Security-Policy"));
            assertTrue(r.getBody().contains("Live from the local stack"));
        }
        if (status == 400) {
            assertEquals(1, r.getBody().lines().count(), r.getBody());
        }
    }
}
