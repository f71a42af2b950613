package io.github.stytchmigration;

import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hardens the session cookie that the container issued for the rotated session id: adds
 * {@code HttpOnly}, {@code Secure} on secure requests, and {@code SameSite=Lax} when the container
 * did not set them. Servlet 5.0 has no API for SameSite, so the header is rewritten.
 * {@code SameSite=Lax} still sends the cookie on top-level navigation from an email link or from
 * Stytch's OAuth redirect.
 */
final class SessionCookies {
    private static final String SET_COOKIE = "Set-Cookie";

    private SessionCookies() {
    }

    static void harden(HttpServletRequest request, HttpServletResponse response) {
        String prefix = cookieName(request) + "=";
        List<String> headers = new ArrayList<>(response.getHeaders(SET_COOKIE));
        boolean changed = false;
        for (int i = 0; i < headers.size(); i++) {
            String header = headers.get(i);
            if (header.startsWith(prefix)) {
                String hardened = harden(header, request.isSecure());
                changed |= !hardened.equals(header);
                headers.set(i, hardened);
            }
        }
        if (!changed) {
            return;
        }
        response.setHeader(SET_COOKIE, headers.get(0));
        for (int i = 1; i < headers.size(); i++) {
            response.addHeader(SET_COOKIE, headers.get(i));
        }
    }

    static String harden(String header, boolean secure) {
        String lower = header.toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(header);
        if (!hasAttribute(lower, "httponly")) {
            out.append("; HttpOnly");
        }
        if (secure && !hasAttribute(lower, "secure")) {
            out.append("; Secure");
        }
        if (!hasAttribute(lower, "samesite")) {
            out.append("; SameSite=Lax");
        }
        return out.toString();
    }

    private static boolean hasAttribute(String lowerHeader, String name) {
        for (String part : lowerHeader.split(";")) {
            String attribute = part.trim();
            if (attribute.equals(name) || attribute.startsWith(name + "=")) {
                return true;
            }
        }
        return false;
    }

    private static String cookieName(HttpServletRequest request) {
        SessionCookieConfig config = request.getServletContext().getSessionCookieConfig();
        String name = config == null ? null : config.getName();
        return name == null || name.isEmpty() ? "JSESSIONID" : name;
    }
}
