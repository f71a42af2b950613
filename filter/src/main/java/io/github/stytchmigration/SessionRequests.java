package io.github.stytchmigration;

import io.github.stytchmigration.internal.session.HttpSessionLogin;
import io.github.stytchmigration.internal.session.SessionRequest;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * Reads a request's Stytch session credentials and its HttpSession's login, without creating a session.
 * A Bearer header, when present (and enabled), is the request's only credential; otherwise the first
 * non-empty value of each session cookie counts. Nothing here judges a value: the logic does.
 */
final class SessionRequests {
    private static final String BEARER = "Bearer ";

    private final boolean cookies;
    private final boolean bearer;
    private final String jwtCookie;
    private final String tokenCookie;
    private final String sessionUserIdAttribute;

    SessionRequests(MigrationConfig config) {
        this(config, config.sessionSources().contains(MigrationConfig.SOURCE_COOKIE),
                config.sessionSources().contains(MigrationConfig.SOURCE_BEARER));
    }

    private SessionRequests(MigrationConfig config, boolean cookies, boolean bearer) {
        this.cookies = cookies;
        this.bearer = bearer;
        this.jwtCookie = config.sessionJwtCookie();
        this.tokenCookie = config.sessionTokenCookie();
        this.sessionUserIdAttribute = config.sessionUserIdAttribute();
    }

    /** A reader with both sources on, whatever {@code sessionSources} says: a logout ends whatever session the request names. */
    static SessionRequests forLogout(MigrationConfig config) {
        return new SessionRequests(config, true, true);
    }

    SessionRequest parse(HttpServletRequest request) {
        HttpSessionLogin current = current(request, sessionUserIdAttribute);
        if (bearer) {
            String authorization = request.getHeader("Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return new SessionRequest(authorization.substring(BEARER.length()).trim(), true, null, current);
            }
        }
        if (!cookies) {
            return new SessionRequest(null, false, null, current);
        }
        String jwt = null;
        String token = null;
        Cookie[] all = request.getCookies();
        if (all != null) {
            for (Cookie cookie : all) {
                String value = cookie.getValue();
                if (value == null || value.isEmpty()) {
                    continue;
                }
                if (jwt == null && jwtCookie.equals(cookie.getName())) {
                    jwt = value;
                } else if (token == null && tokenCookie.equals(cookie.getName())) {
                    token = value;
                }
            }
        }
        return new SessionRequest(jwt, false, token, current);
    }

    /** Who the request's HttpSession is logged in as, through what; {@link HttpSessionLogin#NONE} without one. */
    static HttpSessionLogin current(HttpServletRequest request, String sessionUserIdAttribute) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return HttpSessionLogin.NONE;
        }
        Object userId = session.getAttribute(sessionUserIdAttribute);
        if (userId == null) {
            // a login waiting for its second factor came from its Stytch session as much: not a new login
            userId = session.getAttribute(MigrationFilter.SESSION_PENDING_USER_ID);
        }
        if (userId == null) {
            return HttpSessionLogin.NONE;
        }
        Object confirmedAt = session.getAttribute(HttpSessionLogin.CONFIRMED_AT_ATTRIBUTE);
        return new HttpSessionLogin(userId.toString(), string(session.getAttribute(MigrationFilter.SESSION_LOGIN_SOURCE)),
                string(session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_ID)),
                confirmedAt instanceof Long ? (Long) confirmedAt : -1,
                string(session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN)));
    }

    private static String string(Object value) {
        return value instanceof String && !((String) value).isEmpty() ? (String) value : null;
    }
}
