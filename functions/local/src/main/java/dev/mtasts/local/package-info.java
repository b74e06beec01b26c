/**
 * The whole stack on this machine ({@code mta-sts serve}): DynamoDB Local, an AWS emulator, the functions behind an
 * API Gateway-shaped listener, the lifecycle fed by the table's stream, the reports page. Runs the functions, so it
 * may depend on every module but the command line and the resolver.
 */
package dev.mtasts.local;
