package io.github.stytchmigration.internal.session;

import java.util.Objects;

/**
 * A request that is neither a callback nor the logout, reduced to what the session logic needs: the
 * Stytch credentials it carries (from the enabled sources only) and who its HttpSession is logged in as.
 * The credentials are secrets: {@link #toString()} never shows them.
 */
public final class SessionRequest {
    private final String jwt;
    private final boolean bearer;
    private final String sessionToken;
    private final HttpSessionLogin current;

    /**
     * @param jwt          the session JWT, from the Bearer header or the JWT cookie, or null
     * @param bearer       whether {@code jwt} came from the Bearer header
     * @param sessionToken the opaque session token from its cookie, or null
     */
    public SessionRequest(String jwt, boolean bearer, String sessionToken, HttpSessionLogin current) {
        this.jwt = jwt;
        this.bearer = bearer;
        this.sessionToken = sessionToken;
        this.current = Objects.requireNonNull(current, "current");
    }

    public String jwt() {
        return jwt;
    }

    public String sessionToken() {
        return sessionToken;
    }

    public HttpSessionLogin current() {
        return current;
    }

    /** Where the credentials came from: {@code bearer} or {@code cookie}. */
    public String source() {
        return bearer ? HttpSessionLogin.SOURCE_BEARER : HttpSessionLogin.SOURCE_COOKIE;
    }

    /** Whether any credential came in a cookie: those are what stale-cookie clearing removes. */
    public boolean hasCookies() {
        return (jwt != null && !bearer) || sessionToken != null;
    }

    boolean hasCredentials() {
        return jwt != null || sessionToken != null;
    }

    @Override
    public String toString() {
        return "SessionRequest[jwt=" + (jwt == null ? "none" : source()) + ", sessionToken="
                + (sessionToken == null ? "none" : "cookie") + ", " + current + "]";
    }
}
