package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.UsersTable;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Promises about the HttpSession and the Stytch session, through a real web.xml in Jetty against the
 * emulator and PostgreSQL: a second user on the same browser, no orphan Stytch sessions (a late
 * answer, a login that fails after Stytch made its session), and PKCE verifiers kept per flow.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionHardeningIT {
    private static final long STYTCH_TIMEOUT_MILLIS = 3000; // generous: the machine may be loaded
    private static final String MAGIC = "/v1/magic_links/authenticate";
    private static final String REVOKE = "/v1/sessions/revoke";

    @AutoClose
    private AppStack stack;
    private StytchEmulator emulator;
    private UsersTable users;
    private Browser browser;

    @BeforeAll
    void start() throws Exception {
        stack = AppStack.startWithFilter(params -> params.put("stytchTimeoutMillis", Long.toString(STYTCH_TIMEOUT_MILLIS)));
        emulator = stack.emulator();
        users = stack.users();
    }

    @BeforeEach
    void freshState() {
        users.truncate();
        emulator.reset();
        browser = new Browser();
    }

    private HttpResponse<String> magicLink(String email) throws Exception {
        return browser.callback(stack.appUrl() + "/authenticate", "magic_links", emulator.magicLinkToken(email));
    }

    private void awaitRevokes(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (emulator.requestCount(REVOKE) < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(emulator.requestCount(REVOKE)).as("Stytch sessions revoked").isEqualTo(expected);
    }

    @Test
    void aSecondUserOnTheSameBrowserGetsAFreshSessionWithNothingOfTheFirst() throws Exception {
        long alice = users.seed("alice@example.com");
        long bob = users.seed("bob@example.com");
        assertThat(Browser.field(magicLink("alice@example.com"), "sessionUserId")).isEqualTo(Long.toString(alice));
        // the app marks Alice's session (roles, "MFA passed", a cart...)
        browser.get(stack.appUrl() + "/start");
        String alicesSession = browser.sessionId();

        // Bob's magic link, opened in Alice's browser
        HttpResponse<String> r = magicLink("bob@example.com");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "sessionUserId")).isEqualTo(Long.toString(bob));
        assertThat(Browser.field(r, "cart")).as("nothing of Alice's session carries over").isEqualTo("null");
        assertThat(browser.sessionId()).isNotEqualTo(alicesSession);
        HttpResponse<String> old = new Browser().withSession(alicesSession).get(stack.appUrl() + "/account");
        assertThat(Browser.field(old, "sessionUserId")).as("Alice's session is gone").isNull();
        awaitRevokes(1);
    }

    @Test
    void theSameUserLoggingInAgainKeepsTheSessionWithANewId() throws Exception {
        long carol = users.seed("carol@example.com");
        HttpResponse<String> first = magicLink("carol@example.com");
        assertThat(Browser.field(first, "outcome")).as(first.body()).isEqualTo("LINKED");
        browser.get(stack.appUrl() + "/start");
        String before = browser.sessionId();

        HttpResponse<String> again = magicLink("carol@example.com");

        assertThat(Browser.field(again, "outcome")).isEqualTo("ALREADY_LINKED");
        assertThat(Browser.field(again, "sessionUserId")).isEqualTo(Long.toString(carol));
        assertThat(Browser.field(again, "cart")).isEqualTo("kept-across-login");
        assertThat(browser.sessionId()).isNotEqualTo(before);
        awaitRevokes(1); // the first login's Stytch session, replaced in the HttpSession
    }

    @Test
    void aStytchAnswerThatArrivesAfterTheTimeoutHasItsSessionRevoked() throws Exception {
        String token = emulator.magicLinkToken("dora@example.com");
        emulator.injectFault(Fault.delay(MAGIC, STYTCH_TIMEOUT_MILLIS + 1500));

        HttpResponse<String> r = browser.callback(stack.appUrl() + "/authenticate", "magic_links", token);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(r.body()).contains("stytch_unavailable").contains("can no longer be used").contains("request a new one");
        awaitRevokes(1);
        assertThat(users.count()).as("nothing written").isZero();
        HttpResponse<String> retry = new Browser().callback(stack.appUrl() + "/authenticate", "magic_links", token);
        assertThat(retry.statusCode()).as("the late answer spent the token: a retry cannot work").isEqualTo(401);
    }

    @Test
    void aLoginRefusedAfterStytchMadeItsSessionRevokesThatSession() throws Exception {
        users.seed("erin@example.com", null, "user-test-someone-else");
        String before = users.snapshot();

        HttpResponse<String> r = magicLink("erin@example.com");

        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("account_conflict").contains("contact support");
        assertThat(users.snapshot()).isEqualTo(before);
        awaitRevokes(1);
    }

    @Test
    void anAbandonedOAuthFlowNeverBreaksALaterMagicLink() throws Exception {
        long fay = users.seed("fay@example.com");
        // the app started Google with PKCE, the user closed the consent page
        browser.get(stack.appUrl() + "/pkce/oauth");

        // a plain magic link (no PKCE) in the same browser: the OAuth verifier must not be sent with it
        HttpResponse<String> r = magicLink("fay@example.com");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "sessionUserId")).isEqualTo(Long.toString(fay));
    }
}
