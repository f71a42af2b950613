package io.github.stytchmigration;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes the frontend SDK's session cookies the way the SDK does: {@code Path=/}, {@code SameSite=Lax},
 * {@code Secure} on secure requests, and not HttpOnly (the SDK reads them from JavaScript) unless the
 * project uses Stytch's HttpOnly cookie mode ({@code sessionJwtCookieHttpOnly}). Servlet 5.0 has no API for
 * SameSite, so the header is written whole. Cookie values are Stytch's base64url text: nothing to escape.
 */
final class StytchCookies {
    private static final String SET_COOKIE = "Set-Cookie";

    private final String jwtCookie;
    private final String tokenCookie;
    private final boolean httpOnly;

    StytchCookies(MigrationConfig config) {
        this.jwtCookie = config.sessionJwtCookie();
        this.tokenCookie = config.sessionTokenCookie();
        this.httpOnly = config.sessionJwtCookieHttpOnly();
    }

    /** Sets the JWT cookie to a fresh JWT, living as long as its Stytch session. */
    void setJwt(HttpServletRequest request, HttpServletResponse response, String jwt, long maxAgeSeconds) {
        response.addHeader(SET_COOKIE, jwtCookie + "=" + jwt + "; Path=/; Max-Age=" + Math.max(0, maxAgeSeconds)
                + attributes(request.isSecure(), httpOnly));
    }

    /** Expires both session cookies in the browser, as the frontend SDK's logout does. */
    void clear(HttpServletRequest request, HttpServletResponse response) {
        for (String name : new String[] {jwtCookie, tokenCookie}) {
            response.addHeader(SET_COOKIE, name + "=; Path=/; Max-Age=0" + attributes(request.isSecure(), false));
        }
    }

    static String attributes(boolean secure, boolean httpOnly) {
        return "; SameSite=Lax" + (secure ? "; Secure" : "") + (httpOnly ? "; HttpOnly" : "");
    }
}
