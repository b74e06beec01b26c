package dev.mtasts.core.report;

import dev.mtasts.core.Quote;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RFC 8460 §3: a report that arrives by e-mail without a valid DKIM signature of the reporting domain MUST be
 * ignored. SES checks DKIM on receipt and records the verdict in an {@code Authentication-Results} header it puts
 * on top of the stored message; only that topmost header from SES counts, since anything below it came with the
 * message and could be forged.
 */
public final class SesDkim {
    public static final String SES_AUTHSERV_ID = "amazonses.com";
    private static final Pattern DKIM_PASS = Pattern.compile(
            "(?i)(?:^|;)\\s*dkim\\s*=\\s*pass\\b([^;]*)");
    /** The signer's domain: {@code header.d=domain}, or {@code header.i=[local-part]@domain} (RFC 6376 i=). */
    private static final Pattern SIGNER = Pattern.compile("(?i)header\\.(?:d|i)\\s*=\\s*(?:[^\\s;@]*@)?([A-Za-z0-9.-]+)");

    private SesDkim() {
    }

    /** Why the e-mail must be ignored, or empty when SES saw a DKIM signature of the sender's domain pass. */
    public static Optional<String> problem(ReportReader.Email email) {
        if (email.authenticationResults().isEmpty()) {
            return Optional.of("no Authentication-Results header: the message was not received by SES");
        }
        String top = email.authenticationResults().get(0);
        String authserv = top.split(";", 2)[0].strip().split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (!authserv.equals(SES_AUTHSERV_ID)) {
            return Optional.of("the topmost Authentication-Results header is from " + Quote.cut(authserv, Quote.MAX)
                    + ", not SES");
        }
        String sender = senderDomain(email.from());
        if (sender == null) {
            return Optional.of("the From header has no address");
        }
        Matcher pass = DKIM_PASS.matcher(top);
        while (pass.find()) {
            Matcher signer = SIGNER.matcher(pass.group(1));
            while (signer.find()) {
                String d = signer.group(1).toLowerCase(Locale.ROOT);
                if (d.equals(sender) || sender.endsWith("." + d) || d.endsWith("." + sender)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of("no valid DKIM signature of " + Quote.cut(sender, Quote.MAX) + " (RFC 8460 section 3)");
    }

    static String senderDomain(String from) {
        if (from == null) {
            return null;
        }
        int lt = from.lastIndexOf('<');
        String address = lt >= 0 ? from.substring(lt + 1, from.indexOf('>', lt) < 0 ? from.length() : from.indexOf('>', lt)) : from;
        int at = address.lastIndexOf('@');
        return at < 0 ? null : address.substring(at + 1).strip().toLowerCase(Locale.ROOT);
    }
}
