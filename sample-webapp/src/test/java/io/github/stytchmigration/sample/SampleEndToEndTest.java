package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.QrImages;
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
    void legacyTotpUserProvesTheLegacyFactorBeforeEnrollingWithStytchAndTheStytchOneAtEveryLaterLogin() throws Exception {
        String email = "tess.taylor@example.com";
        String legacySecret = dbString("SELECT legacy_totp_secret FROM users WHERE lower(email) = ?", email);
        assertThat(legacySecret).as("seeded legacy TOTP secret").matches("[A-Z2-7]{32}");
        WebClient browser = client();
        HttpResponse<String> callback = browser.magicLinkLogin(emulator, email);
        assertThat(callback.statusCode()).isEqualTo(303);
        assertThat(callback.headers().firstValue("Location")).hasValue("/mfa/verify");
        // the mailbox alone is not a login: every page that needs one refuses
        assertThat(browser.get("/account").headers().firstValue("Location")).hasValue("/login");
        assertThat(browser.get("/mfa/totp").headers().firstValue("Location")).hasValue("/login");
        assertThat(client().get("/mfa/verify").headers().firstValue("Location")).hasValue("/login");

        Instant before = Instant.now();
        HttpResponse<String> verify = browser.follow(callback);
        Instant after = Instant.now();
        assertThat(verify.statusCode()).isEqualTo(200);
        assertThat(Pages.attribute(verify.body(), "second-factor-kind", "data-kind")).isEqualTo("legacy");
        // emulator mode shows the legacy authenticator's current code, as the dev inbox shows emails
        assertThat(Pages.byId(verify.body(), "dev-legacy-code"))
                .isIn(Totp.code(legacySecret, before), Totp.code(legacySecret, after));
        assertThat(verify.body()).doesNotContain(legacySecret);

        HttpResponse<String> rejected = browser.post("/mfa/verify", Map.of("csrf", Pages.csrf(verify.body()), "code", wrong(legacySecret)));
        assertThat(rejected.statusCode()).isEqualTo(303);
        assertThat(rejected.headers().firstValue("Location")).hasValue("/mfa/verify?error=wrong_code");
        HttpResponse<String> again = browser.follow(rejected);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("did not match");
        assertThat(browser.get("/account").headers().firstValue("Location")).hasValue("/login");

        HttpResponse<String> proven = browser.post("/mfa/verify",
                Map.of("csrf", Pages.csrf(again.body()), "code", Totp.code(legacySecret, Instant.now())));
        assertThat(proven.statusCode()).isEqualTo(303);
        assertThat(proven.headers().firstValue("Location")).hasValue("/mfa/totp");

        HttpResponse<String> enroll = browser.follow(proven);
        assertThat(enroll.statusCode()).isEqualTo(200);
        String secret = Pages.attribute(enroll.body(), "totp-secret", "data-secret");
        assertThat(secret).isNotEqualTo(legacySecret);
        assertThat(Pages.attribute(enroll.body(), "otpauth-uri", "href"))
                .startsWith("otpauth://totp/").contains("secret=" + secret);
        // the QR code image holds exactly the otpauth URI the page links to
        assertThat(QrImages.modules(Pages.attribute(enroll.body(), "totp-qr", "src")))
                .isEqualTo(QrImages.modulesOf(Pages.attribute(enroll.body(), "otpauth-uri", "href")));
        // reloading keeps the same pending registration
        assertThat(Pages.attribute(browser.get("/mfa/totp").body(), "totp-secret", "data-secret")).isEqualTo(secret);
        // and so does another login of the same person before enrollment is done
        WebClient otherDevice = client();
        HttpResponse<String> otherAsk = otherDevice.follow(otherDevice.magicLinkLogin(emulator, email));
        HttpResponse<String> proven2 = otherDevice.post("/mfa/verify",
                Map.of("csrf", Pages.csrf(otherAsk.body()), "code", Totp.code(legacySecret, Instant.now())));
        assertThat(proven2.headers().firstValue("Location")).hasValue("/mfa/totp");
        assertThat(Pages.attribute(otherDevice.follow(proven2).body(), "totp-secret", "data-secret")).isEqualTo(secret);

        HttpResponse<String> refused = browser.post("/mfa/totp", Map.of("csrf", Pages.csrf(enroll.body()), "code", wrong(secret)));
        assertThat(refused.statusCode()).as("post-redirect-get").isEqualTo(303);
        assertThat(refused.headers().firstValue("Location")).hasValue("/mfa/totp?error=wrong_code");
        HttpResponse<String> refusedPage = browser.follow(refused);
        assertThat(refusedPage.statusCode()).isEqualTo(400);
        assertThat(refusedPage.body()).contains("did not match");
        assertThat(Pages.attribute(refusedPage.body(), "totp-secret", "data-secret")).isEqualTo(secret);
        assertThat(dbString("SELECT mfa_reenrolled_at::text FROM users WHERE lower(email) = ?", email)).isNull();

        HttpResponse<String> done = browser.post("/mfa/totp",
                Map.of("csrf", Pages.csrf(enroll.body()), "code", Totp.code(secret, Instant.now())));
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).hasValue("/account?totp=1");
        HttpResponse<String> account = browser.follow(done);
        assertThat(account.body()).contains("authenticator app is set up");
        // the login that waited for its second factor says how it went, as every other login does
        assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("LINKED");
        assertThat(Pages.byId(account.body(), "stytch-user-id")).isEqualTo(Pages.column(account.body(), "stytch_user_id"));
        assertThat(Pages.byId(account.body(), "login-source")).isEqualTo("a link or Google, redirected back through Stytch");
        assertThat(Pages.column(account.body(), "mfa_reenrolled_at")).isNotNull();
        assertThat(dbString("SELECT mfa_reenrolled_at::text FROM users WHERE lower(email) = ?", email)).isNotNull();
        HttpResponse<String> out = browser.post("/logout", Map.of("csrf", Pages.csrf(account.body())));
        assertThat(out.headers().firstValue("Location")).hasValue("/login?logged_out=1");

        // once re-enrolled, every later login asks for the Stytch TOTP code; the legacy one counts no more
        WebClient later = client();
        HttpResponse<String> next = later.magicLinkLogin(emulator, email);
        assertThat(next.headers().firstValue("Location")).hasValue("/mfa/verify");
        assertThat(later.get("/account").headers().firstValue("Location")).hasValue("/login");
        HttpResponse<String> ask = later.follow(next);
        assertThat(Pages.attribute(ask.body(), "second-factor-kind", "data-kind")).isEqualTo("stytch");
        assertThat(ask.body()).doesNotContain("dev-legacy-code");
        long totpCalls = emulator.requestCount("/v1/totps/authenticate");
        HttpResponse<String> legacyNoMore = later.post("/mfa/verify",
                Map.of("csrf", Pages.csrf(ask.body()), "code", wrongFor(secret, Totp.code(legacySecret, Instant.now()))));
        assertThat(legacyNoMore.headers().firstValue("Location")).hasValue("/mfa/verify?error=wrong_code");
        assertThat(emulator.requestCount("/v1/totps/authenticate")).isEqualTo(totpCalls + 1);
        HttpResponse<String> in = later.post("/mfa/verify",
                Map.of("csrf", Pages.csrf(ask.body()), "code", Totp.code(secret, Instant.now())));
        assertThat(in.statusCode()).isEqualTo(303);
        assertThat(in.headers().firstValue("Location")).hasValue("/account");
        HttpResponse<String> home = later.follow(in);
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body()).contains("Hello, Tess Taylor");
        assertThat(Pages.byId(home.body(), "outcome")).isEqualTo("ALREADY_LINKED");
    }

    @Test
    void aLoginWaitingForItsSecondFactorOffersToCancelItNotASecondLogin() throws Exception {
        String email = "pending.pat@example.com";
        execute("INSERT INTO users (email, display_name, legacy_totp, legacy_totp_secret) VALUES (?, 'Pat Pending', TRUE, ?)",
                email, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
        try {
            cancelPendingLogin(email);
        } finally {
            // the progress test counts the legacy rows: the seed's, not this test's
            execute("DELETE FROM users WHERE email = ?", email);
        }
    }

    private void cancelPendingLogin(String email) throws Exception {
        WebClient browser = client();
        HttpResponse<String> anonymous = browser.get("/login");
        assertThat(anonymous.body()).contains("/login\">Log in</a>").doesNotContain("id=\"cancel-login\"");

        HttpResponse<String> page = browser.follow(browser.magicLinkLogin(emulator, email));
        assertThat(page.uri().getPath()).isEqualTo("/mfa/verify");
        assertThat(page.body()).doesNotContain("/login\">Log in</a>").doesNotContain("id=\"logout\"")
                .contains("id=\"cancel-login\"");
        // every page says the same while the login waits, not only the second-factor page
        assertThat(browser.get("/spa").body()).doesNotContain("/login\">Log in</a>").contains("id=\"cancel-login\"");

        HttpResponse<String> cancelled = browser.post("/logout", Map.of("csrf", Pages.csrf(page.body())));
        assertThat(cancelled.headers().firstValue("Location")).hasValue("/login?cancelled=1");
        assertThat(browser.follow(cancelled).body()).contains("Login cancelled").contains("/login\">Log in</a>");
        assertThat(browser.get("/mfa/verify").headers().firstValue("Location")).as("nothing pending any more").hasValue("/login");
    }

    @Test
    void tooManyWrongSecondFactorCodesDropThePendingLogin() throws Exception {
        String email = "lockout.lee@example.com";
        String secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        execute("INSERT INTO users (email, display_name, legacy_totp, legacy_totp_secret) VALUES (?, 'Lee Lockout', TRUE, ?)",
                email, secret);
        WebClient browser = client();
        HttpResponse<String> page = browser.follow(browser.magicLinkLogin(emulator, email));
        assertThat(Pages.attribute(page.body(), "second-factor-kind", "data-kind")).isEqualTo("legacy");
        String csrf = Pages.csrf(page.body());
        HttpResponse<String> last = null;
        for (int i = 0; i < 5; i++) {
            last = browser.post("/mfa/verify", Map.of("csrf", csrf, "code", wrong(secret)));
        }
        assertThat(last.headers().firstValue("Location")).hasValue("/login?error=second_factor_failed");
        assertThat(browser.follow(last).body()).contains("Too many wrong authenticator codes");
        // nothing left to complete: even the right code now goes back to the login page
        HttpResponse<String> late = browser.post("/mfa/verify", Map.of("csrf", csrf, "code", Totp.code(secret, Instant.now())));
        assertThat(late.headers().firstValue("Location")).hasValue("/login");
        assertThat(browser.get("/account").headers().firstValue("Location")).hasValue("/login");
    }

    /** A code that is none of the three the check accepts (this step and its neighbours). */
    static String wrong(String secret) {
        return wrongFor(secret, null);
    }

    static String wrongFor(String secret, String preferred) {
        Instant now = Instant.now();
        java.util.Set<String> accepted = new java.util.HashSet<>();
        for (int s = -2; s <= 2; s++) {
            accepted.add(Totp.code(secret, now.plusSeconds(30L * s)));
        }
        if (preferred != null && !accepted.contains(preferred)) {
            return preferred;
        }
        for (int n = 0; ; n++) {
            String c = String.format(java.util.Locale.ROOT, "%06d", n);
            if (!accepted.contains(c)) {
                return c;
            }
        }
    }

    @Test
    void progressPageCountsLinkedCreatedAndNotYetMigratedUsers() throws Exception {
        client().magicLinkLoginAndFollow(emulator, "gus.garcia@example.com"); // at least one linked
        WebClient pat = client();
        pat.magicLinkLoginAndFollow(emulator, "progress.pat@example.com"); // at least one created
        assertThat(client().get("/migration").headers().firstValue("Location")).as("logged-in users only").hasValue("/login");
        HttpResponse<String> page = pat.get("/migration");
        assertThat(page.statusCode()).isEqualTo(200);
        long linked = dbLong("SELECT count(*) FROM users WHERE stytch_user_id IS NOT NULL AND origin = 'legacy'");
        long created = dbLong("SELECT count(*) FROM users WHERE origin = 'stytch_signup'");
        long notMigrated = dbLong("SELECT count(*) FROM users WHERE stytch_user_id IS NULL");
        assertThat(linked).isPositive();
        assertThat(created).isPositive();
        // every row in exactly one bucket (other tests of the shared sample add rows: no fixed total)
        assertThat(linked + created + notMigrated).isEqualTo(dbLong("SELECT count(*) FROM users"));
        assertThat(Pages.byId(page.body(), "count-linked")).isEqualTo(Long.toString(linked));
        assertThat(Pages.byId(page.body(), "count-created")).isEqualTo(Long.toString(created));
        assertThat(Pages.byId(page.body(), "count-not-migrated")).isEqualTo(Long.toString(notMigrated));
        assertThat(page.body()).contains("Gus.Garcia@Example.com").contains("progress.pat@example.com")
                .contains("Jordan O&#39;Neil &lt;Jo&gt;"); // escaped, never raw
        assertThat(Pages.byId(page.body(), "report")).as("the filter's own report, emails masked")
                .contains("schema check").contains("linked to Stytch").doesNotContain("Gus.Garcia@Example.com");
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
    void usedLinkOpenedWhileLoggedInSaysWhoIsLoggedInAndShowsNoLoginForm() throws Exception {
        WebClient browser = client();
        HttpResponse<String> first = browser.magicLinkLogin(emulator, "reuse.rita@example.com");
        assertThat(first.statusCode()).isEqualTo(303);
        HttpResponse<String> reused = browser.get(first.request().uri().toString());
        assertThat(reused.statusCode()).isEqualTo(303);
        assertThat(reused.headers().firstValue("Location"))
                .hasValue("/login?error=invalid_token&link=used"); // the filter: a spent link cannot work again
        HttpResponse<String> page = browser.follow(reused);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(Pages.byId(page.body(), "logged-in-as")).isEqualTo("reuse.rita@example.com");
        assertThat(page.body()).contains("You are already logged in").contains("href=\"/account\"")
                .doesNotContain("name=\"email\"").doesNotContain("<h1>Log in</h1>");
        assertThat(browser.get("/account").statusCode()).as("still logged in").isEqualTo(200);
    }

    @Test
    void aSecondLinkDoesNotBreakTheFirst() throws Exception {
        WebClient browser = client();
        String first = browser.askForLink(emulator, "twice.tara@example.com");
        String second = browser.askForLink(emulator, "twice.tara@example.com");
        assertThat(second).isNotEqualTo(first);
        HttpResponse<String> callback = browser.get(first);
        assertThat(callback.statusCode()).isEqualTo(303);
        assertThat(callback.headers().firstValue("Location")).hasValue("/account");
        assertThat(Pages.byId(browser.follow(callback).body(), "outcome")).isEqualTo("CREATED");
        // logged in now: the other link is not needed, and the page says so instead of a login form
        HttpResponse<String> page = browser.follow(browser.get(second));
        assertThat(Pages.byId(page.body(), "logged-in-as")).isEqualTo("twice.tara@example.com");
    }

    @Test
    void aRefusedLinkSaysItWasSpentAndTheOtherLinksOfThisBrowserStillWork() throws Exception {
        WebClient browser = client();
        String link = browser.askForLink(emulator, "spent.sam@example.com");
        // a link that cannot work (here: a token Stytch does not know); the filter drops its verifier on the way
        HttpResponse<String> refused = browser.get("/authenticate?stytch_token_type=magic_links&token="
                + "x".repeat(44));
        assertThat(refused.headers().firstValue("Location")).hasValue("/login?error=invalid_token&link=used");
        HttpResponse<String> page = browser.follow(refused);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(Pages.attribute(page.body(), "login-error", "data-reason")).isEqualTo("spent");
        assertThat(page.body()).contains("expired or was already used").contains("still works");
        assertThat(Pages.attribute(page.body(), "email", "value")).as("the address asked for, filled in again")
                .isEqualTo("spent.sam@example.com");

        HttpResponse<String> callback = browser.get(link);
        assertThat(callback.headers().firstValue("Location")).as("the link asked for before still works").hasValue("/account");
        assertThat(Pages.byId(browser.follow(callback).body(), "outcome")).isEqualTo("CREATED");
    }

    @Test
    void linkOpenedInAnotherBrowserSaysSoAndStillWorksWhereItWasAskedFor() throws Exception {
        WebClient asker = client();
        String link = asker.askForLink(emulator, "ivan@example.com");
        WebClient elsewhere = client();
        HttpResponse<String> refused = elsewhere.get(link);
        assertThat(refused.headers().firstValue("Location"))
                .hasValue("/login?error=invalid_token&link=other_browser"); // Stytch's pkce_* error: not spent
        assertThat(dbString("SELECT stytch_user_id FROM users WHERE lower(email) = ?", "ivan@example.com")).isNull();
        HttpResponse<String> page = elsewhere.follow(refused);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(Pages.attribute(page.body(), "login-error", "data-reason")).isEqualTo("other_browser");
        assertThat(page.body()).contains("asked for in another browser").contains("Open it in that browser")
                .doesNotContain("already used");

        // Stytch refused it for the missing verifier without spending it: where it was asked for, it works
        HttpResponse<String> callback = asker.get(link);
        assertThat(callback.headers().firstValue("Location")).hasValue("/account");
        assertThat(dbString("SELECT stytch_user_id FROM users WHERE lower(email) = ?", "ivan@example.com")).isNotNull();
    }

    @Test
    void aUsedLinkOpenedInAFreshBrowserSaysItWasUsedNotAnotherBrowser() throws Exception {
        WebClient asker = client();
        String link = asker.askForLink(emulator, "used.uma@example.com");
        assertThat(asker.get(link).headers().firstValue("Location")).hasValue("/account");

        WebClient fresh = client();
        HttpResponse<String> refused = fresh.get(link);
        // Stytch checks use and expiry before PKCE: the filter hears unable_to_auth, not pkce_*
        assertThat(refused.headers().firstValue("Location")).hasValue("/login?error=invalid_token&link=used");
        HttpResponse<String> page = fresh.follow(refused);
        assertThat(Pages.attribute(page.body(), "login-error", "data-reason")).isEqualTo("spent");
        assertThat(page.body()).contains("expired or was already used").doesNotContain("Open it in that browser");
    }

    @Test
    void formsWithoutTheCsrfTokenAreRefused() throws Exception {
        WebClient browser = client();
        browser.get("/login");
        HttpResponse<String> r = browser.post("/login", Map.of("email", "someone@example.com"));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/login?error=csrf");
        assertThat(browser.follow(r).body()).contains("Your form expired");
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

    static void execute(String sql, String... params) throws SQLException {
        try (Connection c = sample.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
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
