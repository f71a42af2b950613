package io.github.stytchmigration.emulator.internal;

/** A Stytch API error: becomes the standard error body with this status and error type. */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String errorType;

    public ApiException(int status, String errorType, String message) {
        super(message, null, false, false);
        this.status = status;
        this.errorType = errorType;
    }

    public int status() {
        return status;
    }

    public String errorType() {
        return errorType;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    static ApiException userNotFound() {
        return new ApiException(404, "user_not_found", "User could not be found.");
    }
}
