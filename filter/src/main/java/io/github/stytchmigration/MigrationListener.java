package io.github.stytchmigration;

/**
 * Receives migration events, e.g. for metrics or an audit trail. Methods are called on the request
 * thread: they must be fast and must not throw. A listener that throws is logged and ignored; it
 * can never fail a login.
 */
public interface MigrationListener {
    /** A listener that does nothing. */
    MigrationListener NONE = new MigrationListener() {
    };

    /** A callback succeeded: CREATED, LINKED or ALREADY_LINKED. */
    default void onSuccess(MigrationResult result) {
    }

    /**
     * {@code conflictPolicy=relink} moved a row's link from one Stytch user to another. An audit event.
     *
     * @param userId                the internal id of the row
     * @param previousStytchUserId  the Stytch user id it was linked to
     * @param stytchUserId          the Stytch user id it is linked to now
     */
    default void onRelinked(String userId, String previousStytchUserId, String stytchUserId) {
    }

    /**
     * A callback failed.
     *
     * @param code       the error code answered
     * @param incidentId the id logged with an internal error, else null
     */
    default void onFailure(ErrorCode code, String incidentId) {
    }
}
