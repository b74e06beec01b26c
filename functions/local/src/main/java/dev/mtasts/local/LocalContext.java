package dev.mtasts.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import dev.mtasts.core.Quote;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** The Lambda context of a locally served request: its logger writes to the console of {@code serve}. */
final class LocalContext implements Context {
    private final String requestId = UUID.randomUUID().toString();
    private final LambdaLogger logger;

    LocalContext(PrintWriter log) {
        this.logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                // a function's line may repeat what a client sent: escaped, so it stays one line of plain text
                log.println("  " + Quote.escaped(message, LocalApiGateway.MAX_LOGGED));
                log.flush();
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "local";
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return "local";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:000000000000:function:local";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return 30_000;
    }

    @Override
    public int getMemoryLimitInMB() {
        return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }
}
