package io.github.stytchmigration.e2e;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The end-to-end scenarios in Jetty 12 (ee10), with a HikariCP pool owned by the filter. */
class JettyEndToEndTest extends EndToEndTest {
    @Override
    Deployment deploy(WebApp webapp, Path dir) throws Exception {
        return JettyDeployment.start(webapp.writeTo(dir), "/app");
    }

    @Override
    Map<String, String> databaseParams() {
        return Map.of("jdbcUrl", db.jdbcUrl(), "jdbcUsername", db.user(), "jdbcPassword", db.password());
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
