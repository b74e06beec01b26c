/**
 * The policy function: {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} for every domain of the stack, from
 * the domain's row and the stack's state. Depends on core and store.
 */
package dev.mtasts.policy;
