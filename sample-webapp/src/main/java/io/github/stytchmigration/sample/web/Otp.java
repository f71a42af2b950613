package io.github.stytchmigration.sample.web;

import com.stytch.java.consumer.models.otp.AuthenticateRequest;
import com.stytch.java.consumer.models.otp.AuthenticateResponse;
import com.stytch.java.consumer.models.otpemail.LoginOrCreateRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import java.util.Map;

/**
 * Email one-time passcodes through the app's own StytchClient: {@code /v1/otps/email/login_or_create}
 * sends the code, {@code /v1/otps/authenticate} checks it and starts a 60-minute Stytch session. What to
 * do with that session is the caller's choice: hand it to the filter ({@code MigrationLogin}) or leave it
 * in the browser's cookies as the frontend SDK would. The pending email id waits in the HttpSession.
 */
final class Otp {
    /** Session attribute: the {@code email_id} the last code was sent for, per flow. */
    private static final String PENDING = "sample.otp.";
    private static final int SESSION_MINUTES = 60;

    private Otp() {
    }

    /** Sends a code to {@code email} and remembers its method id for {@code flow}. */
    static void send(SampleApp app, HttpServletRequest request, String flow, String email) throws StytchCalls.Failure {
        String emailId = StytchCalls.await(app.stytch().getOtps().getEmail()
                .loginOrCreateCompletable(new LoginOrCreateRequest(email))).getEmailId();
        HttpSession session = request.getSession(true);
        session.setAttribute(PENDING + flow, emailId);
        session.setAttribute(PENDING + flow + ".email", email);
    }

    /** The email a code was sent to in this flow, or null. */
    static String pendingEmail(HttpServletRequest request, String flow) {
        HttpSession session = request.getSession(false);
        return session == null ? null : (String) session.getAttribute(PENDING + flow + ".email");
    }

    /**
     * Checks the code; on success the pending code is forgotten and Stytch's answer (session token and JWT)
     * returned. Never log or render the answer's tokens.
     */
    static AuthenticateResponse verify(SampleApp app, HttpServletRequest request, String flow, String code)
            throws StytchCalls.Failure {
        HttpSession session = request.getSession(false);
        Object emailId = session == null ? null : session.getAttribute(PENDING + flow);
        if (!(emailId instanceof String)) {
            throw new StytchCalls.Failure(400, "no_code_sent", null);
        }
        AuthenticateResponse answer = StytchCalls.await(app.stytch().getOtps().authenticateCompletable(
                new AuthenticateRequest((String) emailId, code, null, null, null, SESSION_MINUTES, null, Map.of(), null)));
        session.removeAttribute(PENDING + flow);
        session.removeAttribute(PENDING + flow + ".email");
        return answer;
    }

    /** A code as people type it: six digits, spaces dropped; null when it cannot be one. */
    static String normalise(String code) {
        String digits = code == null ? "" : code.replaceAll("\\s", "");
        return digits.matches("[0-9]{6}") ? digits : null;
    }
}
