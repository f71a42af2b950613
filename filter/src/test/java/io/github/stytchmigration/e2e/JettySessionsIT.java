package io.github.stytchmigration.e2e;

import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.ServletContainer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The session scenarios in Jetty 12 (ee10) behind a TLS-terminating proxy. */
class JettySessionsIT extends SessionScenarios {
    @Override
    ServletContainer container() {
        return ServletContainer.JETTY_BEHIND_PROXY;
    }

    @Test
    void theRefreshedJwtCookieIsSecureOnSecureRequests() throws Exception {
        FrontendSession session = frontendLogin("secure@example.com");
        String aged = emulator.mintSessionJwt(session.sessionId(), Duration.ofMinutes(6));
        remember(new FrontendSession(session.sessionToken(), aged, session.sessionId(), session.userId()));
        HttpResponse<String> r = new Browser().cookie(TOKEN_COOKIE, session.sessionToken()).cookie(JWT_COOKIE, aged)
                .send(HttpRequest.newBuilder(URI.create(appUrl + "/page")).header("X-Forwarded-Proto", "https"));
        assertThat(Browser.setCookies(r, JWT_COOKIE)).singleElement()
                .satisfies(c -> assertThat(c).contains("; Secure", "SameSite=Lax").doesNotContainIgnoringCase("HttpOnly"));
    }
}
