package io.github.stytchmigration;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Logs a user in from a Stytch session that the app's own backend just got (an OTP code, a password,
 * WebAuthn, anything that ends in {@code session_token} / {@code session_jwt}): the same link-or-create,
 * session reset for another user, session id rotation, attributes and outcome logging as a callback.
 * The {@code MigrationFilter} of the web application does the work; it must be initialised.
 *
 * <pre>{@code
 * AuthenticateResponse otp = ...; // the app's own client.getOTPs().authenticate(...)
 * try {
 *     MigrationResult result = MigrationLogin.login(request, response, otp.getSessionToken());
 *     response.sendRedirect(request.getContextPath() + "/account");
 * } catch (MigrationLoginException e) {
 *     if (e.retryAfterSeconds() >= 0) {
 *         response.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
 *     }
 *     response.sendError(e.errorCode().status(), e.errorCode().code());
 * }
 * }</pre>
 */
public final class MigrationLogin {
    private MigrationLogin() {
    }

    /**
     * Logs the request's user in. The session stays the app's: the filter never revokes it, even when the
     * link fails (the app may). A JWT is verified locally when it can be; a session token costs one
     * {@code sessions.authenticate}; then {@code users.get} (for a JWT) and the link-or-create.
     *
     * @param sessionTokenOrJwt the {@code session_token} or {@code session_jwt} of Stytch's answer
     * @return the outcome, also set as request attributes as for a callback
     * @throws MigrationLoginException with the callback's error code: {@code invalid_request} (not a session
     *                                 token or JWT), {@code invalid_token} (Stytch or the local check refused it),
     *                                 {@code account_conflict}, {@code rate_limited}, {@code stytch_unavailable},
     *                                 {@code database_unavailable}, {@code internal_error}
     * @throws IllegalStateException   no initialised {@code MigrationFilter} in this web application
     */
    public static MigrationResult login(HttpServletRequest request, HttpServletResponse response, String sessionTokenOrJwt)
            throws MigrationLoginException {
        ServletContext context = request.getServletContext();
        Object filter = context == null ? null : context.getAttribute(MigrationFilter.CONTEXT_ATTRIBUTE);
        if (!(filter instanceof MigrationFilter)) {
            throw new IllegalStateException("MigrationLogin needs an initialised MigrationFilter in this web application;"
                    + " declare it in web.xml (or register it) and let it start first");
        }
        return ((MigrationFilter) filter).loginForApp(request, response, sessionTokenOrJwt);
    }
}
