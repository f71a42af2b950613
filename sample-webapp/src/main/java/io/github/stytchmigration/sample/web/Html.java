package io.github.stytchmigration.sample.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** Server-rendered pages: one layout, HTML escaping, and the headers every page gets. */
final class Html {
    private Html() {
    }

    /** Escapes text for element content and double- or single-quoted attribute values. */
    static String esc(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Writes a full page. {@code main} is trusted HTML built with {@link #esc}. */
    static void send(HttpServletRequest request, HttpServletResponse response, int status, String title,
                     String main) throws IOException {
        String ctx = request.getContextPath();
        boolean loggedIn = SampleApp.currentUserId(request) != null;
        // a login waiting for its second factor is neither in nor out: offer to drop it, not a second login
        boolean pending = !loggedIn && SampleApp.loginPending(request);
        response.setStatus(status);
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        String nav = "<nav aria-label=\"Main\"><ul>"
                + (loggedIn ? "<li><a href=\"" + esc(ctx) + "/account\">Your account</a></li>"
                        : pending ? "" : "<li><a href=\"" + esc(ctx) + "/login\">Log in</a></li>")
                + "<li><a href=\"" + esc(ctx) + "/migration\">Migration progress</a></li>"
                + (loggedIn ? logoutItem(request, "logout", "Log out")
                        : pending ? logoutItem(request, "cancel-login", "Cancel login") : "")
                + "</ul></nav>";
        response.getWriter().write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + esc(title) + " · Acme Legacy</title>\n"
                + "<link rel=\"stylesheet\" href=\"" + esc(ctx) + "/static/app.css\">\n</head>\n<body>\n"
                + "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
                + "<header><p class=\"brand\">Acme Legacy <span>· moving to Stytch</span></p>" + nav + "</header>\n"
                + "<main id=\"main\">\n" + main + "\n</main>\n"
                + "<footer><p>Sample app of stytch-migration: users move to Stytch one login at a time.</p></footer>\n</body>\n</html>\n");
    }

    /** The nav's POST to {@code /logout}, which ends a login or a pending one alike. */
    private static String logoutItem(HttpServletRequest request, String id, String label) {
        return "<li><form method=\"post\" action=\"" + esc(request.getContextPath()) + "/logout\" class=\"inline\">"
                + Csrf.field(request) + "<button type=\"submit\" class=\"link\" id=\"" + id + "\">" + label
                + "</button></form></li>";
    }

    /**
     * The label and box for a 6-digit code (emailed, or from an authenticator app), the same on every page: a
     * text box styled like the others, the digit keyboard on phones, the code offered by the phone or browser
     * when it saw one arrive ({@code one-time-code}). A space inside is allowed, as people copy "123 456".
     *
     * @param attributes more attributes for the input, each with a leading space, e.g. {@code " autofocus"}
     */
    static String codeField(String label, String attributes) {
        return "<label for=\"code\">" + label + "</label>\n"
                + "<input id=\"code\" name=\"code\" class=\"code\" type=\"text\" inputmode=\"numeric\""
                + " pattern=\"[0-9 ]{6,7}\" maxlength=\"7\" autocomplete=\"one-time-code\" spellcheck=\"false\" required"
                + attributes + ">\n";
    }

    /** 303 See Other to a context-relative path: the next request is a GET. */
    static void seeOther(HttpServletRequest request, HttpServletResponse response, String path) {
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", request.getContextPath() + path);
    }

    static String alert(String kind, String message) {
        return "<div class=\"alert " + kind + "\" role=\"" + ("error".equals(kind) ? "alert" : "status") + "\">"
                + message + "</div>";
    }
}
