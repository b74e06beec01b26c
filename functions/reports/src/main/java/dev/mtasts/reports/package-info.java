/**
 * The reports functions: TLS reports POSTed over HTTPS, mailed through S3, and the metrics and alerts of each stored
 * one from the reports table's stream. Depends on core, store and the AWS SDK's S3 and SNS clients.
 */
package dev.mtasts.reports;
