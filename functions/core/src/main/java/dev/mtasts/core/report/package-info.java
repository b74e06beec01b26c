/**
 * SMTP TLS reports (RFC 8460) as senders deliver them: reading JSON, gzip and e-mail within limits, tolerant of real
 * senders, a report's identity and its sessions per domain. Depends on core and on Jackson and mime4j only.
 */
package dev.mtasts.core.report;
