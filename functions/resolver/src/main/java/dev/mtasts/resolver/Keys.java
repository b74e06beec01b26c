package dev.mtasts.resolver;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import java.net.IDN;

/**
 * The keys Postfix asks about, as domain names in A-labels. Postfix asks for the next-hop domain, in A-labels but
 * for a message sent with SMTPUTF8; a key in U-labels is converted with the JDK's IDNA (RFC 3490), which agrees with
 * IDNA2008 on every name but a few with ß, ς or joiners, so the resolver carries no IDNA2008 tables (the command line
 * does, for names users type).
 */
final class Keys {
    private Keys() {
    }

    static DomainName domain(String key) throws InvalidException {
        if (key.chars().allMatch(c -> c < 0x80)) {
            return DomainName.parse(key);
        }
        try {
            return DomainName.parse(IDN.toASCII(key, IDN.USE_STD3_ASCII_RULES));
        } catch (IllegalArgumentException e) {
            throw new InvalidException("not a domain name in any IDNA form");
        }
    }
}
