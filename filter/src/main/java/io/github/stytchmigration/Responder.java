package io.github.stytchmigration;

import io.github.stytchmigration.internal.CallbackRequest;
import io.github.stytchmigration.internal.CallbackResult;
import io.github.stytchmigration.internal.StytchLogin;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * Writes every answer of a callback: the login (request and session attributes, session id rotation,
 * hardened cookie, redirect or pass on), the failure page or redirect, and the confirmation page.
 * The one place that turns a {@link CallbackResult} into servlet calls; nothing from the request is echoed.
 */
final class Responder {
    static final String RETRY_AFTER = "Retry-After";
    /** Added to {@code failureUrl} when the one-time link cannot work again. */
    static final String LINK_USED = "link=used";

    private final String sessionUserIdAttribute;
    private final String successUrl;
    private final String secondFactorUrl;
    private final String failureUrl;

    Responder(MigrationConfig config) {
        this.sessionUserIdAttribute = config.sessionUserIdAttribute();
        this.successUrl = config.successUrl();
        this.secondFactorUrl = config.secondFactorUrl();
        this.failureUrl = config.failureUrl();
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
                fail(request, response, result);
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
        session.setAttribute(MigrationFilter.SESSION_STYTCH_USER_ID, result.stytchUserId());
        session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN, login.sessionToken());
        session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_JWT, login.sessionJwt());
        if (result.secondFactorRequired()) {
            // not logged in yet: the app's second-factor page completes it (MigrationFilter.completeSecondFactor)
            session.removeAttribute(sessionUserIdAttribute);
            session.setAttribute(MigrationFilter.SESSION_PENDING_USER_ID_ATTRIBUTE, sessionUserIdAttribute);
            session.setAttribute(MigrationFilter.SESSION_PENDING_USER_ID, result.userId());
            request.setAttribute(MigrationFilter.ATTR_SECOND_FACTOR_REQUIRED, "true");
        } else {
            session.removeAttribute(MigrationFilter.SESSION_PENDING_USER_ID);
            session.removeAttribute(MigrationFilter.SESSION_PENDING_USER_ID_ATTRIBUTE);
            session.setAttribute(sessionUserIdAttribute, result.userId());
        }
        request.setAttribute(MigrationFilter.ATTR_OUTCOME, result.outcome().name());
        request.setAttribute(MigrationFilter.ATTR_USER_ID, result.userId());
        request.setAttribute(MigrationFilter.ATTR_STYTCH_USER_ID, result.stytchUserId());
        request.setAttribute(MigrationResult.REQUEST_ATTRIBUTE, result);

        if (result.secondFactorRequired()) {
            seeOther(response, request.getContextPath() + secondFactorUrl);
        } else if (successUrl != null) {
            seeOther(response, request.getContextPath() + successUrl);
        } else {
            chain.doFilter(request, response);
        }
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

    private void fail(HttpServletRequest request, HttpServletResponse response, CallbackResult outcome) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        ErrorCode code = outcome.error();
        if (outcome.retryAfterSeconds() >= 0) {
            response.setHeader(RETRY_AFTER, Long.toString(outcome.retryAfterSeconds()));
        }
        if (failureUrl != null) {
            String separator = failureUrl.indexOf('?') < 0 ? "?" : "&";
            // link=used: the one-time link cannot work again, offer a new one rather than a retry
            seeOther(response, request.getContextPath() + failureUrl + separator + "error=" + code.code()
                    + (outcome.tokenSpent() ? "&" + LINK_USED : ""));
            return;
        }
        response.setStatus(code.status());
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        PrintWriter out = response.getWriter();
        out.print("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed</title></head>\n<body>\n"
                + "<h1>Sign-in failed</h1>\n<p>" + explain(code, outcome.tokenSpent()) + "</p>\n<p>Error code: <code>"
                + code.code() + "</code>");
        if (outcome.incidentId() != null) {
            out.print("<br>Incident: <code>" + outcome.incidentId() + "</code>");
        }
        out.print("</p>\n</body></html>\n");
        out.flush();
    }

    // What the user should do next. A link whose token was (or may have been) spent cannot work again.
    static String explain(ErrorCode code, boolean tokenSpent) {
        switch (code) {
            case INVALID_REQUEST:
                return "The sign-in link is incomplete or malformed. Please request a new one.";
            case INVALID_TOKEN:
                return "The sign-in link has expired or was already used, or was opened in another browser than"
                        + " the one that asked for it. Please request a new one.";
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
