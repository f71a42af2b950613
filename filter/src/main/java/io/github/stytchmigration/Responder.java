package io.github.stytchmigration;

import io.github.stytchmigration.internal.CallbackRequest;
import io.github.stytchmigration.internal.CallbackResult;
import io.github.stytchmigration.internal.StytchLogin;
import io.github.stytchmigration.internal.session.HttpSessionLogin;
import io.github.stytchmigration.internal.session.SessionDecision;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * Writes every answer: of a callback (the login, the failure page or redirect, the confirmation page), of
 * a request carrying a Stytch session (the login, a fresh JWT cookie, stale cookies cleared, a login
 * ended, a failure), of the app's own login, and of the logout. The one place that turns the logic's
 * results into servlet calls; nothing from the request is echoed.
 */
final class Responder {
    static final String RETRY_AFTER = "Retry-After";
    /** Added to {@code failureUrl} when the one-time link cannot work again. */
    static final String LINK_USED = "link=used";
    static final String LINK_OTHER_BROWSER = "link=other_browser";

    private final String sessionUserIdAttribute;
    private final String successUrl;
    private final String secondFactorUrl;
    private final String failureUrl;
    private final StytchCookies cookies;

    Responder(MigrationConfig config) {
        this.sessionUserIdAttribute = config.sessionUserIdAttribute();
        this.successUrl = config.successUrl();
        this.secondFactorUrl = config.secondFactorUrl();
        this.failureUrl = config.failureUrl();
        this.cookies = new StytchCookies(config);
    }

    void respond(HttpServletRequest request, HttpServletResponse response, FilterChain chain, CallbackRequest callback,
                 CallbackResult result) throws IOException, ServletException {
        // the callback URL carries a one-time token: keep it out of caches and Referer headers
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (result.isSuccess() || result.tokenSpent()) {
            endPkceFlow(request, callback);
        }
        switch (result.kind()) {
            case SUCCESS:
                succeed(request, response, chain, result);
                break;
            case CONFIRM:
                confirmPage(response);
                break;
            default:
                fail(request, response, result, true);
        }
    }

    // The flow is over (logged in, or its token spent or refused): its verifier must not reach a later callback.
    private static void endPkceFlow(HttpServletRequest request, CallbackRequest callback) {
        HttpSession session = request.getSession(false);
        if (session != null && callback.tokenTypes().size() == 1) {
            session.removeAttribute(MigrationFilter.pkceCodeVerifierAttribute(callback.tokenTypes().get(0)));
        }
    }

    private void succeed(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
                         CallbackResult outcome) throws IOException, ServletException {
        applyLogin(request, response, outcome, HttpSessionLogin.SOURCE_CALLBACK, -1);
        if (outcome.result().secondFactorRequired()) {
            seeOther(response, request.getContextPath() + secondFactorUrl);
        } else if (successUrl != null) {
            seeOther(response, request.getContextPath() + successUrl);
        } else {
            chain.doFilter(request, response);
        }
    }

    /**
     * A request carrying Stytch session credentials: apply the decision, then pass on (a failure is
     * answered here instead, never redirected to {@code failureUrl}: that page's own request would carry
     * the same cookies and fail again).
     */
    void respondSession(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
                        SessionDecision decision) throws IOException, ServletException {
        if (decision.freshJwt() != null) {
            cookies.setJwt(request, response, decision.freshJwt(), decision.freshJwtMaxAgeSeconds());
        }
        if (decision.clearCookies()) {
            cookies.clear(request, response);
        }
        switch (decision.kind()) {
            case LOGIN:
                // the answer carries a new session id: no cache may keep it
                response.setHeader("Cache-Control", "no-store");
                applyLogin(request, response, decision.result(), decision.source(), decision.confirmedAt());
                if (decision.result().result().secondFactorRequired()) {
                    // pending, as after a callback: the app's second-factor page completes the login
                    seeOther(response, request.getContextPath() + secondFactorUrl);
                    return;
                }
                break;
            case FAIL:
                fail(request, response, decision.result(), false);
                return;
            default:
                HttpSession session = request.getSession(false);
                if (session != null && decision.endLogin()) {
                    // the Stytch session behind this login is gone: nothing of the login may carry over
                    session.invalidate();
                } else if (session != null && decision.confirmedAt() >= 0) {
                    session.setAttribute(HttpSessionLogin.CONFIRMED_AT_ATTRIBUTE, decision.confirmedAt());
                }
        }
        chain.doFilter(request, response);
    }

    /**
     * Applies a successful login to the HttpSession and the request, whatever its source: another user's
     * session is invalidated and a new one started, the same user's session id is rotated, and the login
     * is written last, once nothing above can fail any more.
     *
     * @param source      {@code callback}, {@code cookie}, {@code bearer} or {@code app}
     * @param confirmedAt epoch seconds when Stytch vouched for the session, for a login from a session source; else -1
     */
    void applyLogin(HttpServletRequest request, HttpServletResponse response, CallbackResult outcome, String source,
                    long confirmedAt) {
        MigrationResult result = outcome.result();
        StytchLogin login = outcome.login();
        HttpSession session = request.getSession(false);
        if (session != null && outcome.replacesSession()) {
            // another user's session: nothing of it (roles, tenant, "MFA passed") may carry over
            session.invalidate();
            session = null;
        }
        if (session == null) {
            request.getSession(true);
        } else {
            // session fixation: an id seen before login is worthless after it (attributes are kept)
            request.changeSessionId();
        }
        session = request.getSession(true);
        SessionCookies.harden(request, response);

        // the login is written last, once nothing above can fail any more
        // null removes: a value of an earlier login must not outlive this one
        session.setAttribute(MigrationFilter.SESSION_STYTCH_USER_ID, result.stytchUserId());
        session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN, emptyToNull(login.sessionToken()));
        session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_JWT, emptyToNull(login.sessionJwt()));
        session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_ID, login.sessionId());
        session.setAttribute(MigrationFilter.SESSION_LOGIN_SOURCE, source);
        session.setAttribute(HttpSessionLogin.CONFIRMED_AT_ATTRIBUTE, confirmedAt < 0 ? null : confirmedAt);
        if (result.secondFactorRequired()) {
            // not logged in yet: the app's second-factor page completes it (MigrationFilter.completeSecondFactor)
            session.removeAttribute(sessionUserIdAttribute);
            session.setAttribute(MigrationFilter.SESSION_PENDING_USER_ID_ATTRIBUTE, sessionUserIdAttribute);
            session.setAttribute(MigrationFilter.SESSION_PENDING_USER_ID, result.userId());
            session.setAttribute(MigrationFilter.SESSION_PENDING_OUTCOME, result.outcome().name());
            request.setAttribute(MigrationFilter.ATTR_SECOND_FACTOR_REQUIRED, "true");
        } else {
            session.removeAttribute(MigrationFilter.SESSION_PENDING_USER_ID);
            session.removeAttribute(MigrationFilter.SESSION_PENDING_USER_ID_ATTRIBUTE);
            session.removeAttribute(MigrationFilter.SESSION_PENDING_OUTCOME);
            session.setAttribute(sessionUserIdAttribute, result.userId());
        }
        request.setAttribute(MigrationFilter.ATTR_OUTCOME, result.outcome().name());
        request.setAttribute(MigrationFilter.ATTR_USER_ID, result.userId());
        request.setAttribute(MigrationFilter.ATTR_STYTCH_USER_ID, result.stytchUserId());
        request.setAttribute(MigrationResult.REQUEST_ATTRIBUTE, result);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** The logout: both session cookies expired, the HttpSession invalidated, 303 to the context root. */
    void loggedOut(HttpServletRequest request, HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        cookies.clear(request, response);
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        seeOther(response, request.getContextPath() + "/");
    }

    /** The logout path takes POST only: a GET (a link, a prefetch, an image tag) must not log anyone out. */
    static void methodNotAllowed(HttpServletResponse response) throws IOException {
        response.setHeader("Allow", "POST");
        plain(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Log out with POST.");
    }

    /** A logout POSTed by another site's page. */
    static void crossSite(HttpServletResponse response) throws IOException {
        plain(response, HttpServletResponse.SC_FORBIDDEN, "A logout must come from this site's own page.");
    }

    private static void plain(HttpServletResponse response, int status, String text) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        PrintWriter out = response.getWriter();
        out.print(text + "\n");
        out.flush();
    }

    private static void seeOther(HttpServletResponse response, String location) {
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", location);
    }

    /**
     * The optional confirmation page. Its form has no action, so the browser POSTs to the very URL
     * it is on, query string included: the token is never copied into the page.
     */
    private static void confirmPage(HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
        PrintWriter out = response.getWriter();
        out.print("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Continue signing in</title></head>\n<body>\n"
                + "<main style=\"font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; text-align: center\">\n"
                + "<h1>Continue signing in</h1>\n<p>Press the button to finish signing in on this device.</p>\n"
                + "<form method=\"post\"><button type=\"submit\" autofocus style=\"font-size: 1.1rem; padding: .6rem 1.4rem\">"
                + "Continue</button></form>\n</main>\n</body></html>\n");
        out.flush();
    }

    private void fail(HttpServletRequest request, HttpServletResponse response, CallbackResult outcome,
                      boolean mayRedirect) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        ErrorCode code = outcome.error();
        if (outcome.retryAfterSeconds() >= 0) {
            response.setHeader(RETRY_AFTER, Long.toString(outcome.retryAfterSeconds()));
        }
        if (failureUrl != null && mayRedirect) {
            String separator = failureUrl.indexOf('?') < 0 ? "?" : "&";
            // link=used: the one-time link cannot work again, offer a new one rather than a retry;
            // link=other_browser: it was refused for its PKCE verifier, and still works where it was asked for
            seeOther(response, request.getContextPath() + failureUrl + separator + "error=" + code.code()
                    + (outcome.tokenSpent() ? "&" + LINK_USED : outcome.otherBrowser() ? "&" + LINK_OTHER_BROWSER : ""));
            return;
        }
        response.setStatus(code.status());
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        PrintWriter out = response.getWriter();
        out.print("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed</title></head>\n<body>\n"
                + "<h1>Sign-in failed</h1>\n<p>" + explain(code, outcome.tokenSpent(), outcome.otherBrowser()) + "</p>\n<p>Error code: <code>"
                + code.code() + "</code>");
        if (outcome.incidentId() != null) {
            out.print("<br>Incident: <code>" + outcome.incidentId() + "</code>");
        }
        out.print("</p>\n</body></html>\n");
        out.flush();
    }

    // What the user should do next. A link whose token was (or may have been) spent cannot work again.
    static String explain(ErrorCode code, boolean tokenSpent, boolean otherBrowser) {
        switch (code) {
            case INVALID_REQUEST:
                return "The sign-in link is incomplete or malformed. Please request a new one.";
            case INVALID_TOKEN:
                return otherBrowser
                        ? "This sign-in link was asked for in another browser, and it only works there. Open it in the"
                                + " browser where you asked for it, or request a new link here."
                        : "The sign-in link has expired or was already used. Please request a new one.";
            case ACCOUNT_CONFLICT:
                return "This sign-in cannot be matched safely to an existing account. Please contact support.";
            case ACCOUNT_DISABLED:
                return "This account is disabled. Please contact support to have it re-enabled.";
            case RATE_LIMITED:
                return "Too many sign-in attempts. Please wait a moment and try again.";
            case STYTCH_UNAVAILABLE:
            case DATABASE_UNAVAILABLE:
                return tokenSpent
                        ? "Sign-in is temporarily unavailable, and this sign-in link can no longer be used."
                                + " Please request a new one in a moment."
                        : "Sign-in is temporarily unavailable. Please try again shortly.";
            default:
                return tokenSpent
                        ? "Something went wrong on our side, and this sign-in link can no longer be used."
                                + " Please request a new one; if it happens again, contact support."
                        : "Something went wrong on our side. Please try again; if it happens again, contact support.";
        }
    }
}
