package dev.mtasts.resolver;

import java.time.Duration;

/**
 * How the answers of one socketmap name are made: Postfix names the map in each request ({@code postfix example.com}
 * for {@code socketmap:inet:127.0.0.1:8461:postfix}); a name without a zone of its own gets the default zone.
 *
 * @param strictTesting answer {@code testing} policies as {@code enforce} ones (not what RFC 8461 asks, but useful
 *     while many domains stay in testing; postfix-mta-sts-resolver's {@code strict_testing})
 * @param timeout for each DNS question and for the whole policy fetch
 * @param requireSni add {@code servername=hostname}: Postfix (3.4+) then sends the MX host name by SNI, as RFC 8461
 *     §4.2 requires
 * @param tlsrpt add the attributes Postfix 3.10+ needs to report MTA-STS results (RFC 8460; see {@link Tlsrpt})
 * @param dane answer {@code dane-only} for a domain whose MX hosts DNSSEC and TLSA records cover (RFC 8461 §2; see
 *     {@link Dane}); Postfix needs {@code smtp_dns_support_level = dnssec}
 */
public record Zone(String name, boolean strictTesting, Duration timeout, boolean requireSni, boolean tlsrpt,
        boolean dane) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(4);

    public static Zone defaults(String name) {
        return new Zone(name, false, DEFAULT_TIMEOUT, true, false, true);
    }

    /** The same settings, DANE not answered: what the zone gets where DANE cannot work (see {@link PostfixDns}). */
    Zone withoutDane() {
        return new Zone(name, strictTesting, timeout, requireSni, tlsrpt, false);
    }

    /** The same settings under another name: a zone states only what differs from the default zone. */
    Zone named(String other) {
        return new Zone(other, strictTesting, timeout, requireSni, tlsrpt, dane);
    }
}
