package dev.mtasts.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.mtasts.policy.PolicyHandler;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * A fresh JVM's first policy response through the real handler, built as Lambda builds it (no-argument
 * constructor, environment variables). With {@code prime}, the SnapStart hooks run first, and the classes each step
 * loads are counted.
 */
public final class FirstPolicy {
    public static void main(String[] args) {
        boolean prime = args.length > 0 && args[0].equals("prime");
        var classes = ManagementFactory.getClassLoadingMXBean();
        PolicyHandler handler = new PolicyHandler();
        long afterInit = classes.getTotalLoadedClassCount();
        if (prime) {
            handler.beforeCheckpoint(null);
            handler.afterRestore(null);
        }
        long beforeRequest = classes.getTotalLoadedClassCount();
        int status = handler.handleRequest(APIGatewayV2HTTPEvent.builder()
                .withRawPath(PolicyHandler.POLICY_PATH)
                .withHeaders(Map.of("host", "mta-sts.example.com"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build()).build())
                .build(), null).getStatusCode();
        long afterRequest = classes.getTotalLoadedClassCount();
        System.out.println("status=" + status + " init=" + afterInit + " priming=" + (beforeRequest - afterInit)
                + " firstRequest=" + (afterRequest - beforeRequest));
    }
}
