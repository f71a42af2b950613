package io.github.stytchmigration.internal.session;

import io.github.stytchmigration.internal.CallbackResult;

import java.util.Objects;

/**
 * What the session logic decided for one request; the responder applies it, then (unless it is a
 * failure) passes the request on.
 * <ul>
 *   <li>{@link Kind#PASS}: nothing to log in. Perhaps record a newer confirmation, end the
 *       HttpSession's login, clear stale cookies or set a fresh JWT cookie.</li>
 *   <li>{@link Kind#LOGIN}: a login, applied as a callback's is, then the request passes on.</li>
 *   <li>{@link Kind#FAIL}: answer the failure (503 with Retry-After, 409, 500); nothing is written.</li>
 * </ul>
 */
public final class SessionDecision {
    /** The three ways a request can go. */
    public enum Kind {
        PASS,
        LOGIN,
        FAIL
    }

    private static final SessionDecision PASS = new SessionDecision(Kind.PASS, null, null, -1, false, false, null, -1);

    private final Kind kind;
    private final CallbackResult result;
    private final String source;
    private final long confirmedAt;
    private final boolean endLogin;
    private final boolean clearCookies;
    private final String freshJwt;
    private final long freshJwtMaxAgeSeconds;

    private SessionDecision(Kind kind, CallbackResult result, String source, long confirmedAt, boolean endLogin,
                            boolean clearCookies, String freshJwt, long freshJwtMaxAgeSeconds) {
        this.kind = kind;
        this.result = result;
        this.source = source;
        this.confirmedAt = confirmedAt;
        this.endLogin = endLogin;
        this.clearCookies = clearCookies;
        this.freshJwt = freshJwt;
        this.freshJwtMaxAgeSeconds = freshJwtMaxAgeSeconds;
    }

    /** Nothing to do. */
    static SessionDecision pass() {
        return PASS;
    }

    /** The HttpSession stays logged in; Stytch vouched for its session at {@code confirmedAt} (-1: nothing new). */
    static SessionDecision confirmed(long confirmedAt) {
        return confirmedAt < 0 ? PASS : new SessionDecision(Kind.PASS, null, null, confirmedAt, false, false, null, -1);
    }

    /**
     * No valid Stytch session: the HttpSession's login from a session source ends (when
     * {@code endLogin}), and the request's session cookies are cleared (when {@code clearCookies}).
     */
    static SessionDecision notLoggedIn(boolean endLogin, boolean clearCookies) {
        return endLogin || clearCookies ? new SessionDecision(Kind.PASS, null, null, -1, endLogin, clearCookies, null, -1)
                : PASS;
    }

    /** A login from {@code source} ({@code cookie}, {@code bearer}), whose session Stytch vouched for at {@code confirmedAt}. */
    static SessionDecision login(CallbackResult success, String source, long confirmedAt) {
        return new SessionDecision(Kind.LOGIN, Objects.requireNonNull(success), source, confirmedAt, false, false, null, -1);
    }

    /** Answer this failure; clear the session cookies too when retrying them cannot help. */
    static SessionDecision fail(CallbackResult failure, boolean clearCookies) {
        return new SessionDecision(Kind.FAIL, Objects.requireNonNull(failure), null, -1, false, clearCookies, null, -1);
    }

    /** The same decision, also setting the JWT cookie to {@code jwt}, living {@code maxAgeSeconds}. */
    SessionDecision withFreshJwt(String jwt, long maxAgeSeconds) {
        if (jwt == null || jwt.isEmpty()) {
            return this;
        }
        return new SessionDecision(kind, result, source, confirmedAt, endLogin, clearCookies, jwt, maxAgeSeconds);
    }

    public Kind kind() {
        return kind;
    }

    /** The login's success (LOGIN) or the failure to answer (FAIL); null for PASS. */
    public CallbackResult result() {
        return result;
    }

    /** LOGIN: {@code cookie} or {@code bearer}. */
    public String source() {
        return source;
    }

    /** Epoch seconds to record as the last time Stytch vouched for the session; -1 for none. */
    public long confirmedAt() {
        return confirmedAt;
    }

    /** Whether the HttpSession's login from a session source ends before the request passes on. */
    public boolean endLogin() {
        return endLogin;
    }

    /** Whether to expire the session cookies in the browser. */
    public boolean clearCookies() {
        return clearCookies;
    }

    /** A JWT to set in the JWT cookie, or null. Never log it. */
    public String freshJwt() {
        return freshJwt;
    }

    public long freshJwtMaxAgeSeconds() {
        return freshJwtMaxAgeSeconds;
    }

    @Override
    public String toString() {
        return "SessionDecision[" + kind + (result == null ? "" : " " + result) + (endLogin ? ", end login" : "")
                + (clearCookies ? ", clear cookies" : "") + (freshJwt == null ? "" : ", fresh JWT") + "]";
    }
}
