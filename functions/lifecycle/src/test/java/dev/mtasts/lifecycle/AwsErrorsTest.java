package dev.mtasts.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Every AWS error is either retried (passing) or blocks the domain with a reason; a table of cases. */
class AwsErrorsTest {
    static SdkException service(String service, String code, int status, String message) {
        return AwsServiceException.builder().statusCode(status).message(message + " (Service: " + service
                        + ", Status Code: " + status + ", Request ID: 4f1c-abcd)")
                .awsErrorDetails(AwsErrorDetails.builder().serviceName(service).errorCode(code).errorMessage(message).build())
                .build();
    }

    /** Each shape of error with what the lifecycle does about it, and words the reason must carry. */
    @Test
    void everyAwsErrorIsRetriedBackedOffOrBlocksWithAReason() {
        Object[][] cases = {
            {service("Route53", "Throttling", 400, "Rate exceeded"), AwsErrors.Kind.THROTTLED, "backs off"},
            {service("ApiGatewayV2", "TooManyRequestsException", 429, "Too Many Requests"), AwsErrors.Kind.THROTTLED,
                "limiting the rate"},
            {service("ACM", "ThrottlingException", 400, "Rate exceeded"), AwsErrors.Kind.THROTTLED, "backs off"},
            {service("Route53", "PriorRequestNotComplete", 400, "The request was rejected"), AwsErrors.Kind.PASSING, "busy"},
            {service("ACM", "RequestInProgressException", 400, "in progress"), AwsErrors.Kind.PASSING, "busy"},
            {service("ACM", "InternalFailure", 500, "oops"), AwsErrors.Kind.PASSING, "busy"},
            {SdkClientException.builder().message("Unable to execute HTTP request").cause(new IOException("reset")).build(),
                AwsErrors.Kind.PASSING, "cannot reach AWS"},
            {service("ApiGatewayV2", "AccessDeniedException", 403, "not authorized"), AwsErrors.Kind.REFUSED,
                "role in template.yaml lacks the permission"},
            {service("ApiGatewayV2", "TooManyRequestsException", 429,
                    "Exceeded the maximum number of custom domain names"), AwsErrors.Kind.QUOTA,
                "Service Quotas: API Gateway \"Custom domains per account\""},
            {service("ApiGatewayV2", "BadRequestException", 400, "Exceeded the maximum number of custom domain names"),
                AwsErrors.Kind.QUOTA, "Service Quotas: API Gateway \"Custom domains per account\""},
            {service("ACM", "LimitExceededException", 400, "Error: you have reached your limit of 2500 certificates"),
                AwsErrors.Kind.QUOTA, "Service Quotas: AWS Certificate Manager (ACM) \"ACM certificates\""},
            {service("ACM", "LimitExceededException", 400, "you have reached your limit of certificates in the last year"),
                AwsErrors.Kind.QUOTA, "\"ACM certificates created in last 365 days\""},
            {service("Route53", "InvalidChangeBatch", 400, "RRSet of type CNAME with DNS name x is not permitted"),
                AwsErrors.Kind.REFUSED, "InvalidChangeBatch: RRSet of type CNAME"},
        };
        for (Object[] c : cases) {
            AwsErrors.Verdict v = AwsErrors.classify("doing something", (SdkException) c[0]);
            assertEquals(c[1], v.kind(), v.reason());
            assertTrue(v.reason().contains((String) c[2]), v.reason());
            assertFalse(v.reason().contains("Request ID"), "no AWS internals: " + v.reason());
        }
    }
}
