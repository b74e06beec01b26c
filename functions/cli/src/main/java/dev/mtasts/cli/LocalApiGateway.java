package dev.mtasts.cli;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * What API Gateway does in front of the functions, on 127.0.0.1: each HTTP request becomes the same
 * {@link APIGatewayV2HTTPEvent} (payload format 2.0) that AWS sends, and the function's response becomes the HTTP
 * response. Routes are matched like the HTTP API's: {@code METHOD /path}, then {@code $default}.
 */
final class LocalApiGateway implements AutoCloseable {
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);
    /** An HTTP API takes request bodies of at most 10 MB and answers 413 to larger ones. */
    static final int MAX_BODY = 10 << 20;
    /**
     * Seconds a request may take to arrive, headers and body: a client that stalls is cut off, so a few stalled
     * uploads cannot hold every worker while other requests wait. The JDK's server reads its settings once, when its
     * first instance is made, and no other server runs in the CLI's process.
     */
    static final String MAX_REQUEST_SECONDS = "5";
    /** Requests handled at once. */
    static final int WORKERS = 8;

    static {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        }
        // an answer is written as headers, then body: without TCP_NODELAY the body waits for the client's
        // delayed ACK of the headers, some 40 ms on Linux, on every request of a kept-alive connection
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

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

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes;
    private final PrintWriter log;

    LocalApiGateway(int port, Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> routes,
            PrintWriter log) throws IOException {
        this.routes = Map.copyOf(routes);
        this.log = log;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        this.executor = Executors.newFixedThreadPool(WORKERS);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        int status = 500;
        try (exchange) {
            APIGatewayV2HTTPEvent event = toEvent(exchange);
            if (event == null) {
                status = 413;
                byte[] tooLarge = "{\"message\":\"Request Entity Too Large\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.getResponseHeaders().add("Connection", "close");
                exchange.sendResponseHeaders(413, tooLarge.length);
                exchange.getResponseBody().write(tooLarge);
                return;
            }
            String method = event.getRequestContext().getHttp().getMethod();
            var handler = routes.get(method + " " + event.getRawPath());
            if (handler == null) {
                handler = routes.get("$default");
            }
            APIGatewayV2HTTPResponse response = handler.handleRequest(event, new LocalContext(log));
            status = response.getStatusCode();
            write(exchange, response, method.equals("HEAD"));
        } finally {
            log.printf("%s %s%s -> %d (%d ms)%n", exchange.getRequestMethod(), hostOf(exchange),
                    exchange.getRequestURI().getRawPath(), status, (System.nanoTime() - started) / 1_000_000);
            log.flush();
        }
    }

    /** The event for a request, or null when its body is over {@link #MAX_BODY} (nothing more of it is read). */
    static APIGatewayV2HTTPEvent toEvent(HttpExchange exchange) throws IOException {
        // API Gateway lower-cases header names and joins repeated headers with commas
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (key.equals("cookie")) {
                values.forEach(v -> cookies.addAll(List.of(v.split(";\\s*"))));
            } else {
                headers.put(key, String.join(",", values));
            }
        });
        String declared = headers.get("content-length");
        if (declared != null && declared.strip().matches("\\d{1,18}") && Long.parseLong(declared.strip()) > MAX_BODY) {
            return null; // refused before a byte of the body is read
        }
        byte[] body;
        InputStream in = exchange.getRequestBody();
        body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            // a chunked body that turned out too large: the rest is read and dropped, not held, so the client
            // gets the 413 instead of a reset (and a client that never stops is cut off by the request time)
            in.transferTo(OutputStream.nullOutputStream());
            return null;
        }
        String contentType = headers.getOrDefault("content-type", "");
        boolean text = deliveredAsText(contentType);
        Instant now = Instant.now();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getRawPath();
        String host = hostOf(exchange);
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withRawQueryString(exchange.getRequestURI().getRawQuery() == null ? ""
                        : exchange.getRequestURI().getRawQuery())
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
                                .withProtocol(exchange.getProtocol())
                                .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
                                .withUserAgent(headers.getOrDefault("user-agent", ""))
                                .build())
                        .build())
                .build();
    }

    private static void write(HttpExchange exchange, APIGatewayV2HTTPResponse response, boolean head)
            throws IOException {
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        }
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        if (head) {
            // what an HTTP server says of a HEAD: the length the GET's body has, and no body
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(response.getStatusCode(), -1);
        } else if (bytes.length == 0) {
            exchange.sendResponseHeaders(response.getStatusCode(), -1);
        } else {
            exchange.sendResponseHeaders(response.getStatusCode(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String hostOf(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return "";
        }
        int colon = host.lastIndexOf(':');
        return (colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host).toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
