package io.github.stytchmigration.sample.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The context root: to the account page when logged in, else to the login page. */
public final class HomeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        Html.seeOther(request, response, SampleApp.currentUserId(request) != null ? "/account" : "/login");
    }
}
