package dev.mtasts.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a policy host answered to {@code GET /.well-known/mta-sts.txt}, judged as senders judge it (RFC 8461 §3.3):
 * only a 200 counts (a redirect is a failure, never followed), the media type should be {@code text/plain}, and common
 * senders read at most {@link Policy#MAX_BYTES} bytes.
 *
 * @param status the HTTP status
 * @param contentType the Content-Type header, or null
 * @param location the Location header of a redirect, or null
 * @param body the body as received (at most one byte more than senders read)
 */
public record PolicyAnswer(int status, String contentType, String location, byte[] body) {

    /** Where senders fetch a domain's policy (§3.3). */
    public static final String PATH = "/.well-known/mta-sts.txt";

    /** Why senders would not take this answer as a policy; empty when they would. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (status / 100 == 3) {
            out.add("HTTP " + status + " redirect" + (location == null ? "" : " to " + location)
                    + ": senders do not follow redirects (RFC 8461 §3.3); serve the policy at this URL");
            return out;
        }
        if (status != 200) {
            out.add("HTTP " + status + ": senders accept only 200 (RFC 8461 §3.3)");
            return out;
        }
        String media = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("text/plain")) {
            out.add("Content-Type " + (contentType == null ? "missing" : "\"" + contentType + "\"")
                    + ": senders expect text/plain (RFC 8461 §3.3)");
        }
        if (body.length > Policy.MAX_BYTES) {
            out.add("the body is over " + Policy.MAX_BYTES + " bytes: common senders stop reading there");
        }
        return out;
    }

    /** The body as text (a policy is ASCII; anything else shows up as replacement characters). */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
