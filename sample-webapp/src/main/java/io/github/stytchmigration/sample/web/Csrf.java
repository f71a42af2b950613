package io.github.stytchmigration.sample.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** A per-session token in every form that POSTs (synchronizer token pattern). */
final class Csrf {
    static final String PARAM = "csrf";
    private static final String SESSION_KEY = "sample.csrf";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Csrf() {
    }

    static String token(HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        synchronized (Csrf.class) {
            Object token = session.getAttribute(SESSION_KEY);
            if (token instanceof String s) {
                return s;
            }
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            session.setAttribute(SESSION_KEY, fresh);
            return fresh;
        }
    }

    static String field(HttpServletRequest request) {
        return "<input type=\"hidden\" name=\"" + PARAM + "\" value=\"" + Html.esc(token(request)) + "\">";
    }

    static boolean valid(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        String sent = request.getParameter(PARAM);
        Object expected = session == null ? null : session.getAttribute(SESSION_KEY);
        return sent != null && expected instanceof String s
                && MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
    }
}
