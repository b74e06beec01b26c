package dev.mtasts.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.local.http.HttpListener;
import dev.mtasts.local.http.Request;
import dev.mtasts.local.http.Response;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What API Gateway does in front of the functions, on 127.0.0.1 (or the address serve binds): each HTTP request
 * becomes the same {@link APIGatewayV2HTTPEvent} (payload format 2.0) that AWS sends, and the function's response
 * becomes the HTTP response. Routes are matched like the HTTP API's: {@code METHOD /path}, then {@code $default}. The
 * HTTP itself, and the limits that keep a slow or careless client from holding up the others, are {@link HttpListener}'s.
 */
public final class LocalApiGateway implements AutoCloseable {
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);
    /** An HTTP API takes request bodies of at most 10 MB and answers 413 to larger ones. */
    static final int MAX_BODY = 10 << 20;
    /** Requests handled at once. */
    static final int WORKERS = 8;
    /**
     * A request must arrive whole, head and body, within this time of its first byte, and an answer be taken within
     * as long; a kept-alive connection without a request is closed after {@link #IDLE_TIMEOUT}.
     */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** What a function's log line and a request's values may take of a line of serve's log. */
    static final int MAX_LOGGED = 2000;

    /**
     * The media types whose bodies an HTTP API hands a function as text ({@code isBase64Encoded: false}); every
     * other body, a missing {@code Content-Type} included, arrives base64-encoded. AWS documents only that "binary"
     * bodies are base64-encoded, not which types count as text; this split (exact media types, parameters ignored,
     * so {@code application/tlsrpt+json} and {@code application/x-www-form-urlencoded} are binary) is what a payload
     * format 2.0 Lambda proxy integration was observed to do, as reported in ministackorg/ministack pull request 766,
     * and what Application Load Balancers document for their Lambda targets.
     */
    static boolean deliveredAsText(String contentType) {
        String media = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return media.startsWith("text/") || media.equals("application/json") || media.equals("application/xml")
                || media.equals("application/javascript");
    }

    private final HttpListener listener;
    private final Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes;
    private final PrintWriter log;

    LocalApiGateway(int port, Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes,
            PrintWriter log) throws IOException {
        this(java.net.InetAddress.getLoopbackAddress(), port, routes, log);
    }

    LocalApiGateway(java.net.InetAddress address, int port,
            Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes, PrintWriter log)
            throws IOException {
        this(address, port, routes, log, new HttpListener.Settings(MAX_BODY, WORKERS, IDLE_TIMEOUT, REQUEST_TIMEOUT));
    }

    LocalApiGateway(int port, Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes,
            PrintWriter log, HttpListener.Settings settings) throws IOException {
        this(java.net.InetAddress.getLoopbackAddress(), port, routes, log, settings);
    }

    LocalApiGateway(java.net.InetAddress address, int port,
            Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes, PrintWriter log,
            HttpListener.Settings settings) throws IOException {
        this.routes = Map.copyOf(routes);
        this.log = log;
        this.listener = new HttpListener(address, port, settings, this::handle, line -> {
            log.println(line);
            log.flush();
        });
    }

    int port() {
        return listener.port();
    }

    private Response handle(Request request) {
        APIGatewayV2HTTPEvent event = toEvent(request);
        var handler = routes.get(event.getRequestContext().getHttp().getMethod() + " " + event.getRawPath());
        if (handler == null) {
            handler = routes.get("$default");
        }
        return toResponse(handler.handleRequest(event, new LocalContext(log)));
    }

    /** The event API Gateway makes of a request: header names lower case, repeated headers joined with commas. */
    static APIGatewayV2HTTPEvent toEvent(Request request) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        for (Request.Header h : request.headers()) {
            String key = h.name().toLowerCase(Locale.ROOT);
            if (key.equals("cookie")) {
                cookies.addAll(List.of(h.value().split(";\\s*")));
            } else {
                headers.merge(key, h.value(), (a, b) -> a + "," + b);
            }
        }
        byte[] body = request.body();
        boolean text = deliveredAsText(headers.getOrDefault("content-type", ""));
        Instant now = Instant.now();
        String method = request.method().toUpperCase(Locale.ROOT);
        String path = request.rawPath();
        String host = request.host();
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withRawQueryString(request.rawQuery() == null ? "" : request.rawQuery())
                .withCookies(cookies.isEmpty() ? null : cookies)
                .withHeaders(headers)
                .withBody(body.length == 0 ? null
                        : text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length != 0 && !text)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withAccountId("000000000000")
                        .withApiId("local")
                        .withDomainName(host)
                        .withDomainPrefix(host.contains(".") ? host.substring(0, host.indexOf('.')) : host)
                        .withStage("$default")
                        .withRouteKey("$default")
                        .withRequestId(UUID.randomUUID().toString())
                        .withTime(REQUEST_TIME.format(now))
                        .withTimeEpoch(now.toEpochMilli())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method)
                                .withPath(path)
                                .withProtocol(request.version())
                                .withSourceIp(request.remote().getAddress().getHostAddress())
                                .withUserAgent(headers.getOrDefault("user-agent", ""))
                                .build())
                        .build())
                .build();
    }

    /** The HTTP answer of a function's response (a HEAD gets its headers, Content-Length included, and no body). */
    static Response toResponse(APIGatewayV2HTTPResponse response) {
        List<Request.Header> headers = new ArrayList<>();
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((k, v) -> headers.add(new Request.Header(k, v)));
        }
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        return new Response(response.getStatusCode(), headers, bytes);
    }

    @Override
    public void close() {
        listener.close();
    }
}
