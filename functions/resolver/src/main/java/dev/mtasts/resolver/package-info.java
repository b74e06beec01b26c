/**
 * MTA-STS for outgoing mail: a TLS policy server for Postfix (socketmap), a daemon of its own with its own jar and
 * systemd unit. Depends on core, sender, picocli and SnakeYAML; not on the local stack, DynamoDB Local or ICU4J.
 */
package dev.mtasts.resolver;
