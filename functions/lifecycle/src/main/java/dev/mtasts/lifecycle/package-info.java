/**
 * The domain lifecycle and the daily check: from a row to a policy served on its own certificate and announced in
 * DNS, and back out again, one step at a time. Depends on core, store, sender and the AWS SDK's Route53, ACM and API
 * Gateway clients.
 */
package dev.mtasts.lifecycle;
