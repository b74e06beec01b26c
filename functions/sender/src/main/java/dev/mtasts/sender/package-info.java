/**
 * What a sending MTA sees of a domain: its DNS, the policy fetched over HTTPS as RFC 8461 §3.3 says, its MX hosts'
 * STARTTLS. Used by the lifecycle's live check, {@code mta-sts check} and the resolver. Depends on core and dnsjava.
 */
package dev.mtasts.sender;
