package io.github.stytchmigration.sample.web;

import com.stytch.java.common.StytchException;
import com.stytch.java.common.StytchResult;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for an SDK call with a hard bound (the SDK's own timeouts are 120 s) and unwraps the result. */
final class StytchCalls {
    private static final long TIMEOUT_SECONDS = 10;

    private StytchCalls() {
    }

    /** A failed Stytch call: {@code errorType} is Stytch's, or {@code stytch_unavailable}. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String errorType;

        Failure(int status, String errorType, Throwable cause) {
            super(status + " " + errorType, cause);
            this.status = status;
            this.errorType = errorType;
        }

        /** Stytch said no to this request (4xx other than 429), as opposed to being unreachable. */
        boolean rejected() {
            return status >= 400 && status < 500 && status != 429;
        }
    }

    static <T> T await(CompletableFuture<StytchResult<T>> call) throws Failure {
        StytchResult<T> result;
        try {
            result = call.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw new Failure(503, "stytch_unavailable", e);
        } catch (ExecutionException | TimeoutException e) {
            call.cancel(true);
            throw new Failure(503, "stytch_unavailable", e);
        }
        if (result instanceof StytchResult.Success<T> success) {
            return success.getValue();
        }
        StytchException error = ((StytchResult.Error) result).getException();
        if (error instanceof StytchException.Response response) {
            return throwFor(response.getReason().getStatusCode(), response.getReason().getErrorType(), error);
        }
        throw new Failure(503, "stytch_unavailable", error);
    }

    private static <T> T throwFor(int status, String errorType, Throwable cause) throws Failure {
        throw new Failure(status, errorType == null ? "unknown" : errorType, cause);
    }
}
