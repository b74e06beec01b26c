package dev.mtasts.dns;

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

    @Test
    void passingErrorsAreRetriedTheRestBlockWithAReason() {
        Object[][] cases = {
            {service("Route53", "Throttling", 400, "Rate exceeded"), true, "busy"},
            {service("Route53", "PriorRequestNotComplete", 400, "The request was rejected"), true, "busy"},
            {service("ACM", "RequestInProgressException", 400, "in progress"), true, "busy"},
            {service("ApiGatewayV2", "TooManyRequestsException", 429, "Too Many Requests"), true, "busy"},
            {service("ACM", "InternalFailure", 500, "oops"), true, "busy"},
            {SdkClientException.builder().message("Unable to execute HTTP request").cause(new IOException("reset")).build(), true, "cannot reach AWS"},
            {service("ApiGatewayV2", "AccessDeniedException", 403, "not authorized"), false, "role in template.yaml lacks the permission"},
            {service("ApiGatewayV2", "BadRequestException", 400, "Exceeded the maximum number of custom domain names"), false,
                "Custom domain names per account per Region"},
            {service("ACM", "LimitExceededException", 400, "Error: you have reached your limit of 2500 certificates"), false,
                "ACM certificates"},
            {service("Route53", "InvalidChangeBatch", 400, "RRSet of type CNAME with DNS name x is not permitted"), false,
                "InvalidChangeBatch: RRSet of type CNAME"},
        };
        for (Object[] c : cases) {
            AwsErrors.Verdict v = AwsErrors.classify("doing something", (SdkException) c[0]);
            assertEquals(c[1], v.passing(), v.reason());
            assertTrue(v.reason().contains((String) c[2]), v.reason());
            assertFalse(v.reason().contains("Request ID"), "no AWS internals: " + v.reason());
        }
    }
}
