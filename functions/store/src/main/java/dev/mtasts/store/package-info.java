/**
 * The stack's DynamoDB tables: the domains (the user's rows), the stack's own state of each domain, and the reports
 * with their day summaries. Depends on core and the AWS SDK's DynamoDB client.
 */
package dev.mtasts.store;
