package dev.mtasts.resolver;

import java.time.Instant;

/**
 * Why a domain has no policy to apply: none is announced, or the one announced could not be fetched and nothing
 * valid is cached. Remembered for {@code cache_grace}, so that a domain without a policy costs one DNS question, and
 * a broken one one fetch, per grace period rather than one per message.
 *
 * @param failed the domain announces a policy, but it could not be had (DNS failing, fetch failed, invalid policy)
 */
public record Miss(String reason, boolean failed, Instant at) {
}
