package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8460 §3: a report e-mail without a valid DKIM signature of the reporting domain is ignored. SES records its
 * verdict in the topmost Authentication-Results header; any header below came with the message and may be forged.
 */
class SesDkimTest {
    private static final String FROM = "TLS Reporting <noreply-smtp-tls-reporting@sender.example>";
    private static final String SPF = "amazonses.com; spf=pass (spf: domain of sender.example designates 192.0.2.10 as"
            + " permitted sender) client-ip=192.0.2.10; envelope-from=noreply-smtp-tls-reporting@sender.example;"
            + " helo=mail-out.sender.example; ";
    private static final String PASS = SPF + "dkim=pass header.i=@sender.example; dmarc=pass header.from=sender.example;";
    private static final String NO_SIGNATURE = "no valid DKIM signature of sender.example (RFC 8460 section 3)";

    /** An empty reason means the report is accepted. */
    static Stream<Arguments> dkim() {
        return Stream.of(
                row("SES saw the sender's signature pass", FROM, List.of(PASS), ""),
                row("header.d instead of header.i", FROM, List.of(SPF + "dkim=pass header.d=sender.example;"), ""),
                row("as SES folds it", FROM, List.of(PASS.replace("; ", ";\r\n ")), ""),
                row("authserv-id in another case, with a version", FROM,
                        List.of(PASS.replace("amazonses.com;", "AmazonSES.com 1;")), ""),
                row("a bare From address", "noreply-smtp-tls-reporting@sender.example", List.of(PASS), ""),
                // relaxed alignment: signer and From in one organisational domain, either way round
                row("signed by a subdomain", FROM, List.of(SPF + "dkim=pass header.i=@mail.sender.example;"), ""),
                row("From a subdomain", "noreply@tls.sender.example", List.of(PASS), ""),
                row("a third-party signature passes, then the sender's", FROM,
                        List.of(SPF + "dkim=pass header.i=@esp.example.net; dkim=pass header.i=@sender.example;"), ""),
                row("i= with a local part", FROM, List.of(SPF + "dkim=pass header.i=reports@sender.example;"), ""),
                row("dkim=fail", FROM, List.of(PASS.replace("dkim=pass", "dkim=fail")), NO_SIGNATURE),
                row("no dkim result", FROM, List.of(SPF + "dkim=none; dmarc=fail header.from=sender.example;"), NO_SIGNATURE),
                row("only a third party's signature", FROM, List.of(SPF + "dkim=pass header.i=@esp.example.net;"), NO_SIGNATURE),
                row("a look-alike signer", FROM, List.of(SPF + "dkim=pass header.i=@evilsender.example;"), NO_SIGNATURE),
                row("dmarc=pass is not dkim=pass", FROM, List.of(SPF + "dkim=fail; dmarc=pass header.from=sender.example;"),
                        NO_SIGNATURE),
                // a pass below SES's own header came with the message: forged
                row("the only pass in a lower header", FROM,
                        List.of(PASS.replace("dkim=pass", "dkim=fail"), PASS), NO_SIGNATURE),
                row("topmost header not from SES", FROM, List.of(PASS.replace("amazonses.com", "mx.example.net"), PASS),
                        "the topmost Authentication-Results header is from mx.example.net, not SES"),
                row("an authserv-id that only starts like SES's", FROM,
                        List.of(PASS.replace("amazonses.com", "amazonses.com.example.net")),
                        "the topmost Authentication-Results header is from amazonses.com.example.net, not SES"),
                // header text is the sender's: repeated, at most 100 characters of it
                row("a 10 kB authserv-id", FROM, List.of("x".repeat(10_000) + "; dkim=pass header.i=@sender.example"),
                        "the topmost Authentication-Results header is from " + "x".repeat(100) + "…, not SES"),
                row("a 10 kB sender domain", "a@" + "s".repeat(10_000), List.of(PASS),
                        "no valid DKIM signature of " + "s".repeat(100) + "… (RFC 8460 section 3)"),
                row("no Authentication-Results", FROM, List.of(),
                        "no Authentication-Results header: the message was not received by SES"),
                row("no From address", "TLS Reporting", List.of(PASS), "the From header has no address"));
    }

    private static Arguments row(String what, String from, List<String> authResults, String reason) {
        return Arguments.of(what, from, authResults, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void dkim(String what, String from, List<String> authResults, String reason) {
        ReportReader.Email email = new ReportReader.Email(from, "Report Domain: example.com", "example.com", authResults,
                null);
        assertEquals(reason.isEmpty() ? Optional.empty() : Optional.of(reason), SesDkim.problem(email));
    }
}
