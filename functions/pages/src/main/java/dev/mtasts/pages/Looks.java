package dev.mtasts.pages;

import dev.mtasts.core.report.ResultTypes;
import java.util.Map;

/** Colours and plain-words meanings the page gives result types and policy modes, the same on every domain. */
final class Looks {
    static final String OK = "#4c9a6a";
    static final String FAILED = "#d1495b";

    /** RFC 8460 §4.3's result types (and the two this project counts under), each with a colour of its own. */
    private static final Map<String, String[]> TYPES = Map.ofEntries(
            Map.entry("starttls-not-supported", new String[] {"#e69f00", "the MX host offered no STARTTLS"}),
            Map.entry("certificate-host-mismatch", new String[] {"#cc79a7", "the MX host's certificate does not name it"}),
            Map.entry("certificate-expired", new String[] {"#d55e00", "the MX host's certificate has expired"}),
            Map.entry("certificate-not-trusted", new String[] {"#0072b2",
                "the MX host's certificate is not from a CA the sender trusts (self-signed, or an incomplete chain)"}),
            Map.entry("validation-failure", new String[] {"#56b4e9", "the sender could not validate the certificate"}),
            Map.entry("tlsa-invalid", new String[] {"#8e6bbf", "the MX host's TLSA records (DANE) do not match"}),
            Map.entry("dnssec-invalid", new String[] {"#6d4c41", "DNSSEC validation failed"}),
            Map.entry("dane-required", new String[] {"#b8860b", "DANE was required but could not be used"}),
            Map.entry("sts-policy-fetch-error", new String[] {"#a93226",
                "the sender could not fetch the policy from https://mta-sts.<domain>"}),
            Map.entry("sts-policy-invalid", new String[] {"#17a589", "the policy the sender fetched is not valid"}),
            Map.entry("sts-webpki-invalid", new String[] {"#5d6d7e", "the policy host's certificate is not valid"}),
            Map.entry(ResultTypes.OTHER, new String[] {"#9e9e9e", "result types beyond the 20 a day counts on their own"}),
            Map.entry(ResultTypes.UNKNOWN, new String[] {"#bdbdbd", "failure details that name no result type"}));

    /** For result types outside the registry, by their order on the page. */
    private static final String[] MORE = {"#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"};

    private Looks() {
    }

    static String color(String resultType, int index) {
        String[] t = TYPES.get(resultType);
        return t != null ? t[0] : MORE[index % MORE.length];
    }

    /** What a result type means, or null for one outside the registry. */
    static String meaning(String resultType, String domain) {
        String[] t = TYPES.get(resultType);
        return t == null ? null : t[1].replace("<domain>", domain);
    }

    static String mode(String mode) {
        return switch (mode == null ? "" : mode) {
            case "enforce" -> "#2b7a4b";
            case "testing" -> "#d4a017";
            case "none" -> "#9aa3ad";
            default -> "#cfd6dd";
        };
    }
}
