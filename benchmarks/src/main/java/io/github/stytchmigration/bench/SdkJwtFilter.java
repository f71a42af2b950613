package io.github.stytchmigration.bench;

import com.stytch.java.common.JWTAuthResponse;
import com.stytch.java.common.JWTResponse;
import com.stytch.java.common.JWTSessionResponse;
import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.StytchClient;
import io.github.stytchmigration.emulator.StytchEmulator;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The comparison for measurement 7: what an app writes with the SDK alone, checking the frontend SDK's JWT
 * cookie with {@code sessions.authenticateJwt} on every request (local first, then a Stytch call on any
 * local failure), then passing on; 401 without a valid session.
 */
final class SdkJwtFilter implements Filter, AutoCloseable {
    private final StytchClient client;

    SdkJwtFilter(StytchEmulator emulator) {
        client = new StytchClient(emulator.projectId(), emulator.secret(), new OptionalClientConfig(emulator.baseUrl()));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        String jwt = null;
        Cookie[] cookies = ((HttpServletRequest) req).getCookies();
        for (Cookie c : cookies == null ? new Cookie[0] : cookies) {
            if ("stytch_session_jwt".equals(c.getName())) {
                jwt = c.getValue();
            }
        }
        if (jwt != null && valid(jwt)) {
            chain.doFilter(req, res);
        } else {
            ((HttpServletResponse) res).sendError(401);
        }
    }

    private boolean valid(String jwt) throws ServletException {
        try {
            StytchResult<JWTResponse> result = client.getSessions().authenticateJwtCompletable(jwt, 300).get(10, TimeUnit.SECONDS);
            if (!(result instanceof StytchResult.Success)) {
                return false;
            }
            JWTResponse value = ((StytchResult.Success<JWTResponse>) result).getValue();
            return value instanceof JWTSessionResponse || value instanceof JWTAuthResponse;
        } catch (Exception e) {
            throw new ServletException("authenticateJwt failed", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
