package io.github.stytchmigration.e2e;

import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The end-to-end scenarios in Jetty 12 (ee10) behind a TLS-terminating proxy, with a HikariCP pool owned by the filter. */
class JettyEndToEndIT extends EndToEndScenarios {
    @Override
    ServletContainer container() {
        return ServletContainer.JETTY_BEHIND_PROXY;
    }

    @Override
    InitParams withDatabase(InitParams params, TestDatabase db) {
        return params.jdbc(db);
    }

    @Test
    void marksTheSessionCookieSecureOnSecureRequests() throws Exception {
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(app.appUrl()
                        + "/authenticate?stytch_token_type=magic_links&token="
                        + URLEncoder.encode(magicLink("quentin@example.com"), StandardCharsets.UTF_8)))
                .header("X-Forwarded-Proto", "https"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.sessionCookie(r)).hasValueSatisfying(cookie -> assertThat(cookie)
                .containsIgnoringCase("; Secure").containsIgnoringCase("; HttpOnly").containsIgnoringCase("SameSite=Lax"));
    }
}
