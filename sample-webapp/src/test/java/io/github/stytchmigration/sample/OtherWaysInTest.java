package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.OutboxMessage;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.SharedSample;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways in besides Stytch's redirects, clicked through offline: "Email me a code" (the app's own
 * backend calls, handed to the filter through MigrationLogin) and the frontend-SDK-style page (the session
 * in the browser's cookies, picked up by the filter with {@code sessionSources=cookie}).
 */
class OtherWaysInTest {
    static SampleLauncher sample;
    static StytchEmulator emulator;

    @BeforeAll
    static void start() {
        sample = SharedSample.get();
        emulator = sample.emulator();
    }

    static String lastCode(String email) {
        List<OutboxMessage> messages = WebClient.outbox(emulator, email);
        assertThat(messages).isNotEmpty();
        OutboxMessage last = messages.get(messages.size() - 1);
        assertThat(last.kind()).isEqualTo(OutboxMessage.KIND_OTP);
        return last.code();
    }

    static String stytchUserIdOf(String email) throws SQLException {
        try (Connection c = sample.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT stytch_user_id FROM users WHERE lower(email) = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void emailMeACodeLinksTheSeededUserThroughTheAppsOwnBackend() throws Exception {
        WebClient browser = new WebClient(SharedSample.appBase());
        HttpResponse<String> sent = browser.submit("/login", "/login/code", Map.of("email", "Dmitri@example.org"));
        assertThat(sent.statusCode()).as("post-redirect-get").isEqualTo(303);
        assertThat(sent.headers().firstValue("Location")).hasValue("/login/code");
        HttpResponse<String> codeForm = browser.follow(sent);
        assertThat(codeForm.statusCode()).isEqualTo(200);
        assertThat(codeForm.body()).contains("Enter your code");

        HttpResponse<String> wrong = browser.post("/login/code", Map.of("csrf", Pages.csrf(codeForm.body()), "code", "12"));
        assertThat(wrong.statusCode()).isEqualTo(303);
        assertThat(wrong.headers().firstValue("Location")).hasValue("/login/code?error=format");
        HttpResponse<String> again = browser.follow(wrong);
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).contains("6-digit code").doesNotContain("value=\"12\"");

        HttpResponse<String> done = browser.post("/login/code", Map.of("csrf", Pages.csrf(codeForm.body()),
                "code", lastCode("dmitri@example.org")));
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).hasValue("/account");
        assertThat(done.headers().allValues("Set-Cookie")).as("the session id rotates at login")
                .anySatisfy(c -> assertThat(c).startsWith("JSESSIONID="));
        HttpResponse<String> account = browser.follow(done);
        assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("LINKED");
        assertThat(Pages.byId(account.body(), "login-source")).isEqualTo("a code checked by this app's backend");
        assertThat(Pages.column(account.body(), "origin")).isEqualTo("legacy");
        assertThat(stytchUserIdOf("dmitri@example.org")).isEqualTo(Pages.byId(account.body(), "stytch-user-id"));
    }

    @Test
    void theFrontendSdkStylePageLeavesTheSessionInCookiesAndTheFilterLogsInFromThem() throws Exception {
        WebClient browser = new WebClient(SharedSample.appBase());
        HttpResponse<String> sent = browser.submit("/spa", "/spa", Map.of("email", "farah@example.net"));
        assertThat(sent.statusCode()).as("post-redirect-get").isEqualTo(303);
        assertThat(sent.headers().firstValue("Location")).hasValue("/spa");
        HttpResponse<String> codeForm = browser.follow(sent);
        assertThat(codeForm.statusCode()).isEqualTo(200);
        assertThat(codeForm.body()).contains("We emailed a 6-digit code");
        HttpResponse<String> done = browser.post("/spa", Map.of("csrf", Pages.csrf(codeForm.body()),
                "code", lastCode("farah@example.net")));
        assertThat(done.statusCode()).isEqualTo(303);
        List<String> cookies = done.headers().allValues("Set-Cookie");
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("stytch_session=").contains("SameSite=Lax")
                .doesNotContainIgnoringCase("HttpOnly"));
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("stytch_session_jwt="));
        assertThat(cookies).as("the page never logs in itself").noneSatisfy(c -> assertThat(c).startsWith("JSESSIONID="));

        HttpResponse<String> account = browser.follow(done);
        assertThat(account.statusCode()).isEqualTo(200);
        assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("LINKED");
        assertThat(Pages.byId(account.body(), "login-source")).isEqualTo("the frontend SDK's session cookies");
        assertThat(browser.get("/account").statusCode()).as("still logged in on the next page").isEqualTo(200);

        HttpResponse<String> out = browser.post("/spa/logout", Map.of());
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("stytch_session=;")
                .contains("Max-Age=0"));
        assertThat(emulator.sessions(Pages.byId(account.body(), "stytch-user-id")))
                .as("the filter's logout path revoked the browser's Stytch session")
                .singleElement().satisfies(session -> assertThat(session.revokedVia()).isEqualTo("api"));
        // the filter's logout path answers with a 303 to the context root: from there, the header logout's notice
        assertThat(out.headers().firstValue("Location")).hasValue("/");
        HttpResponse<String> root = browser.follow(out);
        assertThat(root.headers().firstValue("Location")).hasValue("/login?logged_out=1");
        assertThat(browser.follow(root).body()).contains("You are logged out.");
        assertThat(browser.get("/account").headers().firstValue("Location")).hasValue("/login");
        assertThat(new WebClient(SharedSample.appBase()).get("/").headers().firstValue("Location"))
                .as("a browser that was never here is not told it logged out").hasValue("/login");
    }
}
