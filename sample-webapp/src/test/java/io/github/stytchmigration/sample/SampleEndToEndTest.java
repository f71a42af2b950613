package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.SharedSample;
import io.github.stytchmigration.sample.testing.Totp;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample over HTTP, started like {@code java -jar sample-webapp-standalone.jar}: embedded Jetty
 * with the real web.xml, embedded PostgreSQL, the Stytch emulator, the real Stytch SDK in between.
 */
class SampleEndToEndTest {
    static SampleLauncher sample;
    static StytchEmulator emulator;

    @BeforeAll
    static void start() {
        sample = SharedSample.get();
        emulator = sample.emulator();
    }

    WebClient client() {
        return new WebClient(SharedSample.appBase());
    }

    @Test
    void seededUserIsLinkedOnFirstLoginAndAlreadyLinkedOnTheNext() throws Exception {
        WebClient browser = client();
        // the seeded row is "bob.brown@example.com"; the person types it differently
        HttpResponse<String> callback = browser.magicLinkLogin(emulator, "Bob.Brown@Example.com");
        assertThat(callback.statusCode()).isEqualTo(303);
        assertThat(callback.headers().firstValue("Location")).hasValue("/account");
        HttpResponse<String> account = browser.follow(callback);
        assertThat(account.statusCode()).isEqualTo(200);
        assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("LINKED");
        String stytchUserId = Pages.byId(account.body(), "stytch-user-id");
        assertThat(stytchUserId).startsWith("user-test-");
        assertThat(Pages.column(account.body(), "email")).isEqualTo("bob.brown@example.com");
        assertThat(Pages.column(account.body(), "origin")).isEqualTo("legacy");
        assertThat(Pages.column(account.body(), "stytch_user_id")).isEqualTo(stytchUserId);
        assertThat(dbString("SELECT stytch_user_id FROM users WHERE lower(email) = ?", "bob.brown@example.com"))
                .isEqualTo(stytchUserId);

        WebClient laterVisit = client();
        HttpResponse<String> again = laterVisit.magicLinkLoginAndFollow(emulator, "bob.brown@example.com");
        assertThat(Pages.byId(again.body(), "outcome")).isEqualTo("ALREADY_LINKED");
        assertThat(Pages.byId(again.body(), "stytch-user-id")).isEqualTo(stytchUserId);
        assertThat(dbLong("SELECT count(*) FROM users WHERE lower(email) = ?", "bob.brown@example.com")).isEqualTo(1);
    }

    @Test
    void unknownPersonIsCreatedAsStytchSignup() throws Exception {
        WebClient browser = client();
        HttpResponse<String> account = browser.magicLinkLoginAndFollow(emulator, "newcomer.nadia@example.com");
        assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("CREATED");
        assertThat(Pages.column(account.body(), "origin")).isEqualTo("stytch_signup");
        assertThat(Pages.column(account.body(), "display_name")).isEqualTo("newcomer.nadia");
        assertThat(Pages.column(account.body(), "stytch_user_id")).isEqualTo(Pages.byId(account.body(), "stytch-user-id"));
        assertThat(dbString("SELECT origin FROM users WHERE lower(email) = ?", "newcomer.nadia@example.com"))
                .isEqualTo("stytch_signup");
    }

    @Test
    void googleLoginWithVerifiedEmailLinksTheSeededUser() throws Exception {
        WebClient browser = client();
        HttpResponse<String> start = browser.get("/login/google");
        assertThat(start.statusCode()).isEqualTo(303);
        String startUrl = start.headers().firstValue("Location").orElseThrow();
        assertThat(startUrl).startsWith(emulator.baseUrl() + "/v1/public/oauth/google/start?public_token=")
                .contains("code_challenge=").contains("login_redirect_url=").doesNotContain("code_verifier");

        // the emulator's stand-in for Google's consent page: type the email, keep "verified" ticked
        HttpResponse<String> consent = browser.follow(start);
        assertThat(consent.statusCode()).isEqualTo(200);
        Map<String, String> form = Pages.hiddenInputs(consent.body());
        form.put("email", "carol.chen@example.com");
        form.put("email_verified", "true");
        String action = consent.body().replaceAll("(?s).*<form method=\"post\" action=\"([^\"]+)\".*", "$1");
        HttpResponse<String> back = browser.post(emulator.baseUrl() + action, form);
        assertThat(back.statusCode()).isBetween(301, 303);
        assertThat(back.headers().firstValue("Location").orElseThrow())
                .startsWith(SharedSample.appBase() + "/authenticate?").contains("stytch_token_type=oauth");

        HttpResponse<String> callback = browser.follow(back);
        assertThat(callback.statusCode()).isEqualTo(303);
        HttpResponse<String> account = browser.follow(callback);
        assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("LINKED");
        assertThat(Pages.column(account.body(), "email")).isEqualTo("CAROL.CHEN@example.com");
    }

    @Test
    void legacyTotpUserReEnrollsTotpThroughStytchAfterMigrating() throws Exception {
        WebClient browser = client();
        HttpResponse<String> callback = browser.magicLinkLogin(emulator, "tess.taylor@example.com");
        assertThat(callback.headers().firstValue("Location")).hasValue("/mfa/totp");
        // the account page also nudges, and the TOTP page refuses nobody-logged-in
        assertThat(client().get("/mfa/totp").headers().firstValue("Location")).hasValue("/login");

        HttpResponse<String> enroll = browser.follow(callback);
        assertThat(enroll.statusCode()).isEqualTo(200);
        String secret = Pages.attribute(enroll.body(), "totp-secret", "data-secret");
        assertThat(Pages.attribute(enroll.body(), "otpauth-uri", "href"))
                .startsWith("otpauth://totp/").contains("secret=" + secret);
        // reloading keeps the same pending registration
        assertThat(Pages.attribute(browser.get("/mfa/totp").body(), "totp-secret", "data-secret")).isEqualTo(secret);

        String right = Totp.code(secret, Instant.now());
        String wrong = right.equals("000000") ? "111111" : "000000";
        HttpResponse<String> rejected = browser.post("/mfa/totp", Map.of("csrf", Pages.csrf(enroll.body()), "code", wrong));
        assertThat(rejected.statusCode()).isEqualTo(400);
        assertThat(rejected.body()).contains("did not match");
        assertThat(dbString("SELECT mfa_reenrolled_at::text FROM users WHERE lower(email) = ?", "tess.taylor@example.com")).isNull();

        HttpResponse<String> done = browser.post("/mfa/totp",
                Map.of("csrf", Pages.csrf(enroll.body()), "code", Totp.code(secret, Instant.now())));
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).hasValue("/account?totp=1");
        HttpResponse<String> account = browser.follow(done);
        assertThat(account.body()).contains("authenticator app is set up");
        assertThat(Pages.column(account.body(), "mfa_reenrolled_at")).isNotNull();
        assertThat(dbString("SELECT mfa_reenrolled_at::text FROM users WHERE lower(email) = ?", "tess.taylor@example.com")).isNotNull();

        // once re-enrolled, the next login goes straight to the account page
        HttpResponse<String> next = client().magicLinkLogin(emulator, "tess.taylor@example.com");
        assertThat(next.headers().firstValue("Location")).hasValue("/account");
    }

    @Test
    void progressPageCountsLinkedCreatedAndNotYetMigratedUsers() throws Exception {
        client().magicLinkLoginAndFollow(emulator, "gus.garcia@example.com"); // at least one linked
        client().magicLinkLoginAndFollow(emulator, "progress.pat@example.com"); // at least one created
        HttpResponse<String> page = client().get("/migration");
        assertThat(page.statusCode()).isEqualTo(200);
        long linked = dbLong("SELECT count(*) FROM users WHERE stytch_user_id IS NOT NULL AND origin = 'legacy'");
        long created = dbLong("SELECT count(*) FROM users WHERE origin = 'stytch_signup'");
        long notMigrated = dbLong("SELECT count(*) FROM users WHERE stytch_user_id IS NULL");
        assertThat(linked).isPositive();
        assertThat(created).isPositive();
        assertThat(linked + notMigrated).isEqualTo(12); // the seed
        assertThat(Pages.byId(page.body(), "count-linked")).isEqualTo(Long.toString(linked));
        assertThat(Pages.byId(page.body(), "count-created")).isEqualTo(Long.toString(created));
        assertThat(Pages.byId(page.body(), "count-not-migrated")).isEqualTo(Long.toString(notMigrated));
        assertThat(page.body()).contains("Gus.Garcia@Example.com").contains("progress.pat@example.com")
                .contains("Jordan O&#39;Neil &lt;Jo&gt;"); // escaped, never raw
    }

    @Test
    void logoutEndsTheAppSessionAndRevokesTheStytchSession() throws Exception {
        WebClient browser = client();
        HttpResponse<String> account = browser.magicLinkLoginAndFollow(emulator, "hana.hoshino@example.com");
        long revokesBefore = emulator.requestCount("/v1/sessions/revoke");
        HttpResponse<String> out = browser.post("/logout", Map.of("csrf", Pages.csrf(account.body())));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().firstValue("Location")).hasValue("/login?logged_out=1");
        assertThat(emulator.requestCount("/v1/sessions/revoke")).isEqualTo(revokesBefore + 1);
        assertThat(browser.get("/account").headers().firstValue("Location")).hasValue("/login");
    }

    @Test
    void usedLinkComesBackToTheLoginPageWithAFriendlyError() throws Exception {
        WebClient browser = client();
        HttpResponse<String> first = browser.magicLinkLogin(emulator, "reuse.rita@example.com");
        assertThat(first.statusCode()).isEqualTo(303);
        HttpResponse<String> reused = browser.get(first.request().uri().toString());
        assertThat(reused.statusCode()).isEqualTo(303);
        assertThat(reused.headers().firstValue("Location")).hasValue("/login?error=invalid_token");
        HttpResponse<String> page = browser.follow(reused);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("expired, was already used");
    }

    @Test
    void linkOpenedInAnotherBrowserFailsPkce() throws Exception {
        WebClient asker = client();
        asker.submit("/login", "/login", Map.of("email", "ivan@example.com"));
        var messages = WebClient.outbox(emulator, "ivan@example.com");
        HttpResponse<String> elsewhere = client().get(messages.get(messages.size() - 1).url());
        assertThat(elsewhere.headers().firstValue("Location")).hasValue("/login?error=invalid_token");
        assertThat(dbString("SELECT stytch_user_id FROM users WHERE lower(email) = ?", "ivan@example.com")).isNull();
    }

    @Test
    void formsWithoutTheCsrfTokenAreRefused() throws Exception {
        WebClient browser = client();
        browser.get("/login");
        HttpResponse<String> r = browser.post("/login", Map.of("email", "someone@example.com"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(WebClient.outbox(emulator, "someone@example.com")).isEmpty();
    }

    @Test
    void noPageEverShowsATokenOrSecret() throws Exception {
        WebClient browser = client();
        HttpResponse<String> callback = browser.magicLinkLogin(emulator, "kim.kowalski@example.com");
        String token = callback.request().uri().getQuery().replaceAll(".*token=", "");
        StringBuilder all = new StringBuilder();
        for (String path : new String[] {"/account", "/migration", "/login?error=invalid_token"}) {
            all.append(browser.get(path).body());
        }
        assertThat(all.toString()).doesNotContain(token).doesNotContain(emulator.secret())
                .doesNotContain("session_token").doesNotContain("pkce");
    }

    static String dbString(String sql, String param) throws SQLException {
        try (Connection c = sample.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static long dbLong(String sql, String... params) throws SQLException {
        try (Connection c = sample.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

}
