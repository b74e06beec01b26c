/**
 * The rules of RFC 8461 (MTA-STS) and of the records and rows around them, each in one place named after its section:
 * policies, MX patterns, {@code _mta-sts} and {@code _smtp._tls} records, domain rows and the lifecycle's table of steps.
 * Depends on nothing of this project and on no AWS type.
 */
package dev.mtasts.core;
