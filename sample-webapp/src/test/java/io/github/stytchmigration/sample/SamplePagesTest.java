package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.SharedSample;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pages a newcomer meets off the happy path, over HTTP against the standalone sample (Jetty, the real
 * web.xml): the sample's own error pages without the server's name, forms that answer with a redirect, and
 * a 251-character address that every page prints in a box that can wrap it, code boxes that look like the
 * other boxes, and a progress table whose short values stay on one line.
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

    @Test
    void everyFormPostAnswersWithARedirectSoBackNeverResubmits() throws Exception {
        WebClient browser = client();
        HttpResponse<String> bad = browser.submit("/login", "/login", Map.of("email", "not an address"));
        assertThat(bad.statusCode()).isEqualTo(303);
        assertThat(bad.headers().firstValue("Location")).hasValue("/login?error=invalid_email");
        HttpResponse<String> page = browser.follow(bad);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("Please enter an email address");
        assertThat(Pages.attribute(page.body(), "email", "value")).as("what was typed comes back").isEqualTo("not an address");

        HttpResponse<String> sent = browser.submit("/login", "/login", Map.of("email", "prg.pia@example.com"));
        assertThat(sent.statusCode()).isEqualTo(303);
        assertThat(sent.headers().firstValue("Location")).hasValue("/login?sent=1");
        HttpResponse<String> check = browser.follow(sent);
        assertThat(check.body()).contains("Check your email").contains("in this browser");
        assertThat(Pages.byId(check.body(), "sent-to")).isEqualTo("prg.pia@example.com");
        assertThat(browser.get("/login?sent=1").body()).as("reloading sends nothing again").contains("Check your email");
        assertThat(WebClient.outbox(emulator, "prg.pia@example.com")).hasSize(1);

        HttpResponse<String> spaBad = browser.submit("/spa", "/spa", Map.of("email", "nope"));
        assertThat(spaBad.headers().firstValue("Location")).hasValue("/spa?error=invalid_email");
        assertThat(browser.follow(spaBad).statusCode()).isEqualTo(400);
    }

    @Test
    void everyCodeBoxIsALabelledTextBoxForDigits() throws Exception {
        WebClient browser = client();
        HttpResponse<String> sent = browser.submit("/login", "/login/code", Map.of("email", "code.box@example.com"));
        assertThat(sent.headers().firstValue("Location")).hasValue("/login/code");
        assertCodeBox(browser.follow(sent).body());
        HttpResponse<String> spa = browser.submit("/spa", "/spa", Map.of("email", "code.box@example.com"));
        assertThat(spa.headers().firstValue("Location")).hasValue("/spa");
        assertCodeBox(browser.follow(spa).body());
        String css = browser.get("/static/app.css").body();
        assertThat(css).contains("input[type=email], input[type=text] {").contains("input.code {");
    }

    static void assertCodeBox(String html) {
        assertThat(Pages.attribute(html, "code", "type")).isEqualTo("text");
        assertThat(Pages.attribute(html, "code", "inputmode")).isEqualTo("numeric");
        assertThat(Pages.attribute(html, "code", "autocomplete")).isEqualTo("one-time-code");
        assertThat(Pages.attribute(html, "code", "class")).isEqualTo("code");
        assertThat(html).contains("<label for=\"code\">");
    }

    @Test
    void theProgressTableShowsCreationDaysOnOneLine() throws Exception {
        WebClient browser = client();
        browser.magicLinkLoginAndFollow(emulator, "day.dana@example.com");
        String html = browser.get("/migration").body();
        Matcher day = Pattern.compile(
                "<td class=\"nowrap\"><time datetime=\"([^\"]+)\" title=\"([^\"]+)\">([^<]+)</time></td></tr>").matcher(html);
        assertThat(day.find()).as("a Created cell in:\n" + html).isTrue();
        Instant at = Instant.parse(day.group(1));
        assertThat(day.group(3)).isEqualTo(at.atOffset(ZoneOffset.UTC).toLocalDate().toString());
        assertThat(day.group(2)).startsWith(day.group(3)).endsWith(" UTC");
        assertThat(browser.get("/static/app.css").body()).contains("td.nowrap { white-space: nowrap;");
    }

    /** 64 + 1 + 186 = 251 characters: as long as an address gets in practice (254 is the limit). */
    static final String LONG_EMAIL = "long.address." + "l".repeat(51) + "@"
            + "a".repeat(61) + "." + "b".repeat(61) + "." + "c".repeat(54) + ".example";

    @Test
    void aLongAddressIsPrintedInBoxesThatWrapIt() throws Exception {
        assertThat(LONG_EMAIL).hasSize(251);
        WebClient browser = client();
        HttpResponse<String> sent = browser.submit("/login", "/login", Map.of("email", LONG_EMAIL));
        assertThat(sent.headers().firstValue("Location")).hasValue("/login?sent=1");
        HttpResponse<String> check = browser.follow(sent);
        assertThat(Pages.byId(check.body(), "sent-to")).isEqualTo(LONG_EMAIL);
        assertThat(check.body()).contains("class=\"long\" id=\"sent-to\"");

        HttpResponse<String> account = browser.follow(browser.get(WebClient.outbox(emulator, LONG_EMAIL).get(0).url()));
        assertThat(account.statusCode()).isEqualTo(200);
        assertThat(Pages.column(account.body(), "email")).isEqualTo(LONG_EMAIL);
        HttpResponse<String> progress = browser.get("/migration");
        assertThat(progress.body()).contains(LONG_EMAIL).contains("<div class=\"table-scroll\">");
        String css = browser.get("/static/app.css").body();
        assertThat(css).contains("overflow-wrap: anywhere").contains(".table-scroll { overflow-x: auto;");
    }
}
