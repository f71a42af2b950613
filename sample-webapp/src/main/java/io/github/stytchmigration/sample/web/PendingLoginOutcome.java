package io.github.stytchmigration.sample.web;

import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;

/**
 * Keeps the outcome of a login that waits for its second factor, so that the account page shows "This login"
 * after {@link SecondFactorServlet} as after any other login. MigrationFilter answers such a login (a callback,
 * or the frontend SDK's cookies on any page) itself, with a 303 to {@code secondFactorUrl}: its outcome is a
 * request attribute of that one request, which no servlet of the app sees. Mapped in web.xml in front of
 * MigrationFilter, this filter copies it to the session once MigrationFilter has answered. (A login the app
 * makes with {@code MigrationLogin}, as {@link CodeLoginServlet} does, gets its outcome returned instead.)
 */
public final class PendingLoginOutcome implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
        if (!"true".equals(request.getAttribute(MigrationFilter.ATTR_SECOND_FACTOR_REQUIRED))) {
            return; // every request but a pending login's: one attribute read
        }
        Object outcome = request.getAttribute(MigrationFilter.ATTR_OUTCOME);
        HttpSession session = ((HttpServletRequest) request).getSession(false);
        if (outcome != null && session != null) {
            session.setAttribute(SampleApp.SESSION_OUTCOME, outcome.toString());
        }
    }
}
