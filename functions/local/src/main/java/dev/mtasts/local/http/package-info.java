/**
 * HTTP/1.1 for the local gateway of {@code mta-sts serve}, on the JDK alone: one thread reads every connection without
 * blocking and hands a request to the workers only once it is whole, so a slow client holds a connection, never a
 * worker. Knows nothing of API Gateway or the functions; {@code LocalApiGateway} turns its requests into events.
 */
package dev.mtasts.local.http;
