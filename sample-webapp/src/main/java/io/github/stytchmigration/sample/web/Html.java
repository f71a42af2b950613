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
        response.setStatus(status);
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        String nav = "<nav aria-label=\"Main\"><ul>"
                + (loggedIn ? "<li><a href=\"" + esc(ctx) + "/account\">Your account</a></li>"
                        : "<li><a href=\"" + esc(ctx) + "/login\">Log in</a></li>")
                + "<li><a href=\"" + esc(ctx) + "/migration\">Migration progress</a></li>"
                + (loggedIn ? "<li><form method=\"post\" action=\"" + esc(ctx) + "/logout\" class=\"inline\">"
                        + Csrf.field(request) + "<button type=\"submit\" class=\"link\">Log out</button></form></li>" : "")
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
