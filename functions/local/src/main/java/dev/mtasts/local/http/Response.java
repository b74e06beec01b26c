package dev.mtasts.local.http;

import java.util.List;

/**
 * What to answer: a status, header fields and a body. The listener adds {@code Content-Length}, {@code Date} and,
 * when it closes the connection, {@code Connection: close}, and sends no body to a {@code HEAD}.
 */
public record Response(int status, List<Request.Header> headers, byte[] body) {
    public Response {
        headers = List.copyOf(headers);
        if (status < 200 || status > 999) {
            throw new IllegalArgumentException("a final status is 200 to 999 (got " + status + ")");
        }
    }
}
