/**
 * AWS on this machine, for the local stack and the tests: DynamoDB Local in process, moto_server (Route53, ACM,
 * API Gateway v2, S3, SNS), and the context Lambda hands a function, its log kept. Depends on nothing of this
 * project; never a dependency of a function.
 */
package dev.mtasts.emulators;
