package dev.mtasts.local.http;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * A request that has arrived whole: its head as sent (header names as the client spelled them, in order) and its
 * body, chunked or not, as one array.
 *
 * @param target the request target in origin form ({@code /path?query}), as sent
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 */
public record Request(String method, String target, String version, List<Header> headers, byte[] body,
        InetSocketAddress remote) {

    /** One header field line. */
    public record Header(String name, String value) {
    }

    public Request {
        headers = List.copyOf(headers);
    }

    /** The target up to its {@code ?}, not decoded. */
    public String rawPath() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The target after its {@code ?}, not decoded; null without one. */
    public String rawQuery() {
        int q = target.indexOf('?');
        return q < 0 ? null : target.substring(q + 1);
    }

    /** The first value of a header field, its name in any case; null without one. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** The host the request names, lower case, without a port; empty without a Host header. */
    public String host() {
        return hostOf(header("Host"));
    }

    static String hostOf(String host) {
        if (host == null) {
            return "";
        }
        int colon = host.lastIndexOf(':');
        return (colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host).toLowerCase(Locale.ROOT);
    }
}
