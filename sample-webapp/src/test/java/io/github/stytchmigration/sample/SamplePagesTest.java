package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.SharedSample;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pages a newcomer meets off the happy path, over HTTP against the standalone sample (Jetty, the real
 * web.xml): the sample's own error pages without the server's name.
 */
class SamplePagesTest {
    static StytchEmulator emulator;

    @BeforeAll
    static void start() {
        emulator = SharedSample.get().emulator();
    }

    WebClient client() {
        return new WebClient(SharedSample.appBase());
    }

    static void assertSamplePage(HttpResponse<String> r, int status, String title) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(Pages.attribute(r.body(), "error-title", "data-status")).isEqualTo(Integer.toString(status));
        assertThat(Pages.byId(r.body(), "error-title")).isEqualTo(title);
        assertThat(r.body()).contains("Acme Legacy").doesNotContainIgnoringCase("jetty")
                .doesNotContainIgnoringCase("tomcat").doesNotContain("12.1").doesNotContainIgnoringCase("powered by");
        assertThat(r.headers().firstValue("Server")).as("no server name or version in the headers").isEmpty();
    }

    @Test
    void unknownPathsGetTheSamplesOwnNotFoundPage() throws Exception {
        assertSamplePage(client().get("/no/such/page"), 404, "Page not found");
        assertSamplePage(client().get("/static/no-such.css"), 404, "Page not found");
        assertSamplePage(client().get("/error"), 404, "Page not found");
    }

    @Test
    void aWrongMethodGetsTheSamplesOwnPage() throws Exception {
        WebClient browser = client();
        browser.get("/login");
        HttpResponse<String> r = browser.post("/account", Map.of());
        assertSamplePage(r, 405, "Not allowed");
    }

    @Test
    void aTwentyKilobyteTokenGetsAPlainAddressTooLongPageWithoutEchoingIt() throws Exception {
        String token = "t".repeat(20 * 1024);
        HttpResponse<String> r = client().get("/authenticate?stytch_token_type=magic_links&token=" + token);
        // the connector refuses it before the app sees it: the launcher's server-level page answers
        assertSamplePage(r, 414, "Address too long");
        assertThat(r.body()).doesNotContain("tttttttttt").contains("ask for a new link");
    }

    @Test
    void aLongTokenTheConnectorAcceptsGetsTheLoginPageNotAServerError() throws Exception {
        HttpResponse<String> r = client().get("/authenticate?stytch_token_type=magic_links&token=" + "t".repeat(4000));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("/login?error="));
    }
}
