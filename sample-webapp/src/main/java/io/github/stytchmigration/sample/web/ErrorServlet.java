package io.github.stytchmigration.sample.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * The web.xml {@code <error-page>}: the sample's own page for every error status and uncaught exception,
 * in the app's layout, instead of the container's (which names the server and its version). Says what
 * happened and where to go; never echoes the address (it may hold a token) nor any exception text.
 * Errors the connector answers before the app sees the request (an over-long URL) are the server's:
 * {@code SampleLauncher} installs a matching page in Jetty; Tomcat needs its ErrorReportValve set up.
 */
public final class ErrorServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // any method: the error dispatch keeps the failed request's, POST included
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 && i <= 599 ? i : 404; // opened directly: nothing here
        String[] page = page(status);
        Html.send(request, response, status, page[0], "<h1 id=\"error-title\" data-status=\"" + status + "\">"
                + Html.esc(page[0]) + "</h1>\n<p>" + Html.esc(page[1]) + "</p>\n<p><a href=\""
                + Html.esc(request.getContextPath()) + "/\">Go to the start page</a></p>");
    }

    /** Title and explanation of a status: what the user can do about it. */
    static String[] page(int status) {
        switch (status) {
            case 400:
                return new String[] {"Bad request", "We could not read that address or form. If it came from a login"
                        + " email, ask for a new link; otherwise start again from the start page."};
            case 404:
                return new String[] {"Page not found", "There is no page at this address. Check it, or start again"
                        + " from the start page."};
            case 405:
                return new String[] {"Not allowed", "This page cannot be used that way. Start again from the start page."};
            case 414:
                return new String[] {"Address too long", "That address is too long to open. If it came from a login"
                        + " email, ask for a new link."};
            case 431:
                return new String[] {"Request too large", "Your browser sent more than we accept. Clearing this"
                        + " site's cookies usually helps."};
            case 503:
                return new String[] {"Try again in a minute", "This service is not answering right now. Please try"
                        + " again in a minute."};
            default:
                return status < 500
                        ? new String[] {"Request refused", "We could not handle that request. Start again from the start page."}
                        : new String[] {"Something went wrong", "Something went wrong on our side, and nothing was"
                        + " changed. Please try again; if it happens again, contact support."};
        }
    }
}
