package dev.mtasts.lifecycle;

import dev.mtasts.core.Lifecycle;
import java.time.Duration;

/** How one run of a lifecycle step ended; each carries the lifecycle as the step left it. */
sealed interface Outcome {
    Lifecycle lifecycle();

    String detail();

    /** Done: go on with the next step of the table. */
    record Done(Lifecycle lifecycle, String detail) implements Outcome {
    }

    /** Go to another step first (a policy that changed under a later step goes back to the MX check). */
    record Jump(Lifecycle lifecycle, Lifecycle.Step to, String detail) implements Outcome {
    }

    /** Not yet (ACM validating, API Gateway deploying, the host not answering yet): run the step again later. */
    record Wait(Lifecycle lifecycle, String detail, Duration retryIn) implements Outcome {
    }

    /** AWS limits the rate of requests: run the step again later, without counting it as a failure. */
    record BackOff(Lifecycle lifecycle, String detail, Duration retryIn) implements Outcome {
    }

    /** The user must act; {@code detail} says how. The step is looked at again after {@code lookAgainIn}. */
    record Blocked(Lifecycle lifecycle, String detail, Duration lookAgainIn) implements Outcome {
    }

    /** The row is deleted: the domain's removal is complete (its state goes next). */
    record Gone(Lifecycle lifecycle, String detail) implements Outcome {
    }
}
