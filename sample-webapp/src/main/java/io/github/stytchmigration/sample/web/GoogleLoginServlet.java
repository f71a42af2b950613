package io.github.stytchmigration.sample.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code /login/google}: starts Stytch's Google OAuth flow with PKCE. The browser goes to Stytch's
 * public start URL (the emulator shows a stand-in consent page) and comes back to {@code /authenticate}.
 */
public final class GoogleLoginServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SampleApp app = SampleApp.of(getServletContext());
        Settings settings = app.settings();
        if (settings.publicToken() == null) {
            Html.send(request, response, 404, "Google login is not set up", "<h1>Google login is not set up</h1>"
                    + "<p>Set <code>STYTCH_PUBLIC_TOKEN</code> to the project's public token to enable it.</p>");
            return;
        }
        String callback = app.absoluteUrl(request, "/authenticate");
        String url = settings.oauthBaseUrl() + "/v1/public/oauth/google/start"
                + "?public_token=" + enc(settings.publicToken())
                + "&login_redirect_url=" + enc(callback)
                + "&signup_redirect_url=" + enc(callback)
                + "&code_challenge=" + enc(Pkce.start(request, "oauth"));
        response.setHeader("Cache-Control", "no-store");
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", url);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
