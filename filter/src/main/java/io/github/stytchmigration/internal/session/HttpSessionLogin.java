package io.github.stytchmigration.internal.session;

/**
 * Who an HttpSession is logged in as, and through what: read from its attributes by the glue, so that
 * the session logic needs no servlet API. {@link #NONE} for a request without an HttpSession.
 */
public final class HttpSessionLogin {
    /** Login source: a callback, whose Stytch session the filter created (and may revoke). */
    public static final String SOURCE_CALLBACK = "callback";
    /** Login source: the frontend SDK's session cookies. */
    public static final String SOURCE_COOKIE = "cookie";
    /** Login source: an {@code Authorization: Bearer} session JWT. */
    public static final String SOURCE_BEARER = "bearer";
    /** Login source: the app's own backend, through {@code MigrationLogin}. */
    public static final String SOURCE_APP = "app";

    /**
     * HttpSession attribute: epoch seconds (a Long) when Stytch last vouched for the session a login came
     * from. Internal: apps should not rely on it.
     */
    public static final String CONFIRMED_AT_ATTRIBUTE = "stytchMigration.stytchSessionConfirmedAt";

    /** Nobody is logged in. */
    public static final HttpSessionLogin NONE = new HttpSessionLogin(null, null, null, -1, null);

    private final String userId;
    private final String source;
    private final String stytchSessionId;
    private final long confirmedAt;
    private final String ownedSessionToken;

    /**
     * @param userId            the internal user id, or null when not logged in
     * @param source            one of the {@code SOURCE_*} values; null for a login older than them (a callback)
     * @param stytchSessionId   the Stytch session the login came from, or null
     * @param confirmedAt       epoch seconds when Stytch last vouched for that session (a JWT's iat, or its
     *                          answer), or -1
     * @param ownedSessionToken the token of the Stytch session the filter created for a callback login, or null
     */
    public HttpSessionLogin(String userId, String source, String stytchSessionId, long confirmedAt,
                            String ownedSessionToken) {
        this.userId = userId;
        this.source = source;
        this.stytchSessionId = stytchSessionId;
        this.confirmedAt = confirmedAt;
        this.ownedSessionToken = ownedSessionToken;
    }

    public String userId() {
        return userId;
    }

    public String source() {
        return source;
    }

    public String stytchSessionId() {
        return stytchSessionId;
    }

    public long confirmedAt() {
        return confirmedAt;
    }

    /** Never log it. */
    public String ownedSessionToken() {
        return ownedSessionToken;
    }

    /**
     * Whether this is a login made from a session cookie or Bearer JWT: it lasts only as long as the
     * Stytch session behind it. Callback and app logins are not tied to credentials they never had.
     */
    public boolean fromSessionSource() {
        return userId != null && (SOURCE_COOKIE.equals(source) || SOURCE_BEARER.equals(source));
    }

    /** Logged in, from the Stytch session {@code sessionId}. */
    boolean loggedInWith(String sessionId) {
        return userId != null && sessionId != null && sessionId.equals(stytchSessionId);
    }

    @Override
    public String toString() {
        return userId == null ? "HttpSessionLogin[none]"
                : "HttpSessionLogin[userId=" + userId + ", source=" + source + ", session=" + stytchSessionId + "]";
    }
}
