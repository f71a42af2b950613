package io.github.stytchmigration.internal;

import java.util.Objects;

/** How one {@code users.update} of a Stytch user's {@code external_id} ended. */
public final class ExternalIdWrite {
    /** The kinds of ending. */
    public enum Status {
        /** Stytch set it. */
        WRITTEN,
        /** Stytch refused it for good: taken by another user ({@code duplicate_user_external_id}) or invalid. */
        REFUSED,
        /** 5xx, timeout, network, closed client: worth trying at the user's next login. */
        FAILED,
        /** The filter stopped (undeploy, shutdown) while the write was in flight: the user's next login writes it. */
        CANCELLED
    }

    private final Status status;
    private final String detail;

    private ExternalIdWrite(Status status, String detail) {
        this.status = Objects.requireNonNull(status, "status");
        this.detail = detail;
    }

    public static ExternalIdWrite written() {
        return new ExternalIdWrite(Status.WRITTEN, null);
    }

    /** @param errorType Stytch's error_type, e.g. {@code duplicate_user_external_id} */
    public static ExternalIdWrite refused(String errorType) {
        return new ExternalIdWrite(Status.REFUSED, errorType);
    }

    /** @param why for the log: status, error_type, request_id, never a token */
    public static ExternalIdWrite failed(String why) {
        return new ExternalIdWrite(Status.FAILED, why);
    }

    /** @param why for the log */
    public static ExternalIdWrite cancelled(String why) {
        return new ExternalIdWrite(Status.CANCELLED, why);
    }

    public Status status() {
        return status;
    }

    /** The error_type of a refusal, the reason of a failure; null when written. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return "ExternalIdWrite[" + status + (detail == null ? "" : ", " + detail) + "]";
    }
}
