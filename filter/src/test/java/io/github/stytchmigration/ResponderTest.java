package io.github.stytchmigration;

import io.github.stytchmigration.internal.CallbackRequest;
import io.github.stytchmigration.internal.CallbackResult;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchLogin;
import io.github.stytchmigration.testing.TesterFilterChain;
import io.github.stytchmigration.testing.TesterHttpServletRequest;
import io.github.stytchmigration.testing.TesterHttpServletResponse;
import io.github.stytchmigration.testing.TesterHttpSession;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The one writer of callback answers, without a container: what lands in the request, session and response. */
class ResponderTest {
    private static final StytchLogin LOGIN = new StytchLogin(new StytchIdentity("user-test-9",
            List.of(StytchIdentity.Identifier.verified("ada@example.com")), List.of(), null, null),
            "session-token-secret", "eyJ.jwt.secret", false);
    private static final CallbackResult LINKED = CallbackResult.success(
            new MigrationResult(MigrationOutcome.LINKED, "42", "user-test-9", false), LOGIN, false);
    private static final CallbackRequest MAGIC_LINK = new CallbackRequest("GET", List.of("magic_links"), List.of("t"), null);

    private final TesterHttpServletRequest request = TesterHttpServletRequest.get("/authenticate");
    private final TesterHttpServletResponse response = new TesterHttpServletResponse();
    private final TesterFilterChain chain = new TesterFilterChain();

    private static Responder responder(UnaryOperator<MigrationConfig.Builder> settings) {
        return new Responder(settings.apply(MigrationConfig.builder().stytchProjectId("project-test-x")
                .stytchSecret("secret").dataSource(new PGSimpleDataSource())).build());
    }

    @Test
    void aLoginSetsTheAttributesRotatesTheSessionAndPassesOn() throws Exception {
        TesterHttpSession before = new TesterHttpSession("BEFORE");
        before.session().setAttribute("cart", "kept");
        before.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("magic_links"), "verifier");
        before.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("oauth"), "other-flow");
        request.session(before);

        responder(b -> b).respond(request, response, chain, MAGIC_LINK, LINKED);

        assertThat(request.getAttribute(MigrationFilter.ATTR_OUTCOME)).isEqualTo("LINKED");
        assertThat(request.getAttribute(MigrationFilter.ATTR_USER_ID)).isEqualTo("42");
        assertThat(request.getAttribute(MigrationFilter.ATTR_STYTCH_USER_ID)).isEqualTo("user-test-9");
        assertThat(request.getAttribute(MigrationResult.REQUEST_ATTRIBUTE)).isSameAs(LINKED.result());
        TesterHttpSession session = request.testerSession();
        assertThat(session.id()).as("rotated").isNotEqualTo("BEFORE");
        assertThat(session.attributes()).containsEntry("stytchMigration.userId", "42")
                .containsEntry(MigrationFilter.SESSION_STYTCH_USER_ID, "user-test-9")
                .containsEntry(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN, "session-token-secret")
                .containsEntry(MigrationFilter.SESSION_STYTCH_SESSION_JWT, "eyJ.jwt.secret")
                .containsEntry("cart", "kept")
                .doesNotContainKey(MigrationFilter.pkceCodeVerifierAttribute("magic_links"))
                .as("another flow's verifier stays").containsEntry(MigrationFilter.pkceCodeVerifierAttribute("oauth"), "other-flow");
        assertThat(chain.request()).isSameAs(request);
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(response.getHeader("Pragma")).isEqualTo("no-cache");
        assertThat(response.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void aLoginUsesTheConfiguredSessionAttributeAndRedirectsToSuccessUrl() throws Exception {
        responder(b -> b.sessionUserIdAttribute("legacy.uid").successUrl("/account")).respond(request, response, chain, MAGIC_LINK, LINKED);

        assertThat(request.testerSession().attributes()).containsEntry("legacy.uid", "42").doesNotContainKey("stytchMigration.userId");
        assertThat(response.getStatus()).isEqualTo(303);
        assertThat(response.getHeader("Location")).isEqualTo("/app/account");
        assertThat(chain.passedOn()).isFalse();
    }

    @Test
    void aFailureAnswersItsStatusAndPageWithRetryAfterAndNoDetails() throws Exception {
        responder(b -> b).respond(request, response, chain, MAGIC_LINK, CallbackResult.failure(ErrorCode.DATABASE_UNAVAILABLE, 5, null, false));

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("5");
        assertThat(response.getContentType()).isEqualTo("text/html;charset=UTF-8");
        assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.body()).contains("<code>database_unavailable</code>").contains("try again shortly")
                .doesNotContain("Incident");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(chain.passedOn()).isFalse();
        assertThat(request.testerSession()).as("a failure creates no session").isNull();
    }

    @Test
    void aDisabledAccountAnswers403AndTellsTheUserToContactSupport() throws Exception {
        responder(b -> b).respond(request, response, chain, MAGIC_LINK, CallbackResult.failure(ErrorCode.ACCOUNT_DISABLED, -1, null, true));

        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getHeader("Retry-After")).isNull();
        assertThat(response.body()).contains("<code>account_disabled</code>").contains("This account is disabled")
                .contains("contact support");
        assertThat(chain.passedOn()).isFalse();
        assertThat(request.testerSession()).isNull();
    }

    @Test
    void anInternalErrorShowsItsIncidentIdAndNoRetryAfter() throws Exception {
        responder(b -> b).respond(request, response, chain, MAGIC_LINK,
                CallbackResult.failure(ErrorCode.INTERNAL_ERROR, -1, "0b5e7c9a-1111-2222-3333-444455556666", false));

        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(response.getHeader("Retry-After")).isNull();
        assertThat(response.body()).contains("Incident: <code>0b5e7c9a-1111-2222-3333-444455556666</code>");
    }

    @Test
    void aFailureRedirectsToFailureUrlWithTheCodeAppended() throws Exception {
        responder(b -> b.failureUrl("/login?from=callback")).respond(request, response, chain, MAGIC_LINK,
                CallbackResult.failure(ErrorCode.RATE_LIMITED, 1, null, false));

        assertThat(response.getStatus()).isEqualTo(303);
        assertThat(response.getHeader("Location")).isEqualTo("/app/login?from=callback&error=rate_limited");
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        assertThat(response.body()).isEmpty();

        TesterHttpServletResponse plain = new TesterHttpServletResponse();
        responder(b -> b.failureUrl("/login")).respond(request, plain, chain, MAGIC_LINK, CallbackResult.failure(ErrorCode.INVALID_TOKEN, -1, null, false));
        assertThat(plain.getHeader("Location")).isEqualTo("/app/login?error=invalid_token");
    }

    @Test
    void aCommittedResponseIsLeftAlone() throws Exception {
        TesterHttpServletResponse committed = new TesterHttpServletResponse().committed();
        responder(b -> b).respond(request, committed, chain, MAGIC_LINK, CallbackResult.failure(ErrorCode.INVALID_REQUEST, -1, null, false));
        assertThat(committed.getStatus()).isEqualTo(200);
        assertThat(committed.body()).isEmpty();
    }

    @Test
    void theConfirmPageHasAFormWithoutActionAndNoToken() throws Exception {
        request.param("token", "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=");
        responder(b -> b.confirmPage(true).successUrl("/account")).respond(request, response, chain, MAGIC_LINK, CallbackResult.confirm());

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.body()).contains("<form method=\"post\">").doesNotContain("DOYoip3rv").doesNotContain("action=");
        assertThat(response.getHeader("Content-Security-Policy")).contains("form-action 'self'");
        assertThat(response.getHeader("X-Frame-Options")).isEqualTo("DENY");
        assertThat(response.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(chain.passedOn()).isFalse();
    }

    @Test
    void aLoginOnAnotherUsersSessionStartsANewSessionWithNothingCarriedOver() throws Exception {
        TesterHttpSession previous = new TesterHttpSession("VICTIMS-BROWSER");
        previous.session().setAttribute("stytchMigration.userId", "7");
        previous.session().setAttribute("mfaPassed", Boolean.TRUE);
        previous.session().setAttribute("roles", "admin");
        request.session(previous);
        CallbackResult otherUser = CallbackResult.success(
                new MigrationResult(MigrationOutcome.ALREADY_LINKED, "42", "user-test-9", false), LOGIN, true);

        responder(b -> b).respond(request, response, chain, MAGIC_LINK, otherUser);

        assertThat(previous.isInvalidated()).isTrue();
        TesterHttpSession now = request.testerSession();
        assertThat(now).isNotSameAs(previous);
        assertThat(now.attributes()).containsEntry("stytchMigration.userId", "42")
                .doesNotContainKeys("mfaPassed", "roles");
        assertThat(chain.passedOn()).isTrue();
    }

    @Test
    void aFailureAfterTheTokenWasSpentAsksForANewLinkAndEndsTheFlowsVerifier() throws Exception {
        TesterHttpSession session = new TesterHttpSession("S");
        session.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("magic_links"), "verifier");
        request.session(session);

        responder(b -> b).respond(request, response, chain, MAGIC_LINK,
                CallbackResult.failure(ErrorCode.DATABASE_UNAVAILABLE, 5, null, true));

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).as("a new login later can work").isEqualTo("5");
        assertThat(response.body()).contains("can no longer be used").contains("request a new one")
                .doesNotContain("try again shortly");
        assertThat(session.attributes()).doesNotContainKey(MigrationFilter.pkceCodeVerifierAttribute("magic_links"));

        TesterHttpServletResponse redirected = new TesterHttpServletResponse();
        responder(b -> b.failureUrl("/login")).respond(request, redirected, chain, MAGIC_LINK,
                CallbackResult.failure(ErrorCode.STYTCH_UNAVAILABLE, 5, null, true));
        assertThat(redirected.getHeader("Location")).isEqualTo("/app/login?error=stytch_unavailable&link=used");
    }

    @Test
    void aFailureBeforeTheTokenWasSpentKeepsTheVerifierForARetryOfTheSameLink() throws Exception {
        TesterHttpSession session = new TesterHttpSession("S");
        session.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("magic_links"), "verifier");
        request.session(session);

        responder(b -> b).respond(request, response, chain, MAGIC_LINK,
                CallbackResult.failure(ErrorCode.STYTCH_UNAVAILABLE, 5, null, false));

        assertThat(session.attributes()).containsEntry(MigrationFilter.pkceCodeVerifierAttribute("magic_links"), "verifier");
        assertThat(response.body()).contains("try again shortly");
    }

    @Test
    void aLinkRefusedForItsPkceVerifierSaysWhichBrowserItWorksInAndKeepsThisBrowsersVerifier() throws Exception {
        TesterHttpSession session = new TesterHttpSession("S");
        session.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("magic_links"), "verifier");
        request.session(session);

        responder(b -> b.failureUrl("/login")).respond(request, response, chain, MAGIC_LINK,
                CallbackResult.failure(ErrorCode.INVALID_TOKEN, -1, null, false).openedInAnotherBrowser());

        assertThat(response.getStatus()).isEqualTo(303);
        assertThat(response.getHeader("Location")).isEqualTo("/app/login?error=invalid_token&link=other_browser");
        assertThat(session.attributes()).as("this browser's own links keep working")
                .containsEntry(MigrationFilter.pkceCodeVerifierAttribute("magic_links"), "verifier");
        assertThat(Responder.explain(ErrorCode.INVALID_TOKEN, false, true)).contains("asked for in another browser")
                .contains("Open it in the browser where you asked for it");
        assertThat(Responder.explain(ErrorCode.INVALID_TOKEN, true, false)).contains("expired or was already used")
                .doesNotContain("another browser");
    }

    @Test
    void everyFailurePageSaysWhatToDoNext() {
        for (ErrorCode code : ErrorCode.values()) {
            for (boolean spent : new boolean[] {false, true}) {
                assertThat(Responder.explain(code, spent, false)).as(code + " spent=" + spent)
                        .containsAnyOf("request a new one", "try again", "contact support", "wait a moment");
            }
        }
    }

    @Test
    void aLoginThatNeedsASecondFactorIsPendingAndGoesToTheSecondFactorPage() throws Exception {
        TesterHttpSession before = new TesterHttpSession("S");
        request.session(before);
        CallbackResult pending = CallbackResult.success(
                new MigrationResult(MigrationOutcome.LINKED, "42", "user-test-9", false, true), LOGIN, false);

        responder(b -> b.successUrl("/account").secondFactorCondition("legacy_totp").secondFactorUrl("/mfa"))
                .respond(request, response, chain, MAGIC_LINK, pending);

        assertThat(response.getStatus()).isEqualTo(303);
        assertThat(response.getHeader("Location")).isEqualTo("/app/mfa");
        assertThat(request.testerSession().attributes()).doesNotContainKey("stytchMigration.userId")
                .containsEntry(MigrationFilter.SESSION_PENDING_USER_ID, "42")
                .containsEntry(MigrationFilter.SESSION_STYTCH_USER_ID, "user-test-9");
        assertThat(request.getAttribute(MigrationFilter.ATTR_SECOND_FACTOR_REQUIRED)).isEqualTo("true");
        assertThat(chain.passedOn()).isFalse();

        // the app checked the factor
        String before2 = request.testerSession().id();
        // a later request of the same browser: only the session carries over
        for (String attribute : new String[] {MigrationFilter.ATTR_OUTCOME, MigrationFilter.ATTR_USER_ID,
                MigrationFilter.ATTR_STYTCH_USER_ID}) {
            request.removeAttribute(attribute);
        }
        assertThat(MigrationFilter.completeSecondFactor(request)).isEqualTo("42");
        assertThat(request.getAttribute(MigrationFilter.ATTR_OUTCOME)).as("the pending login's outcome, as at any login")
                .isEqualTo("LINKED");
        assertThat(request.getAttribute(MigrationFilter.ATTR_USER_ID)).isEqualTo("42");
        assertThat(request.getAttribute(MigrationFilter.ATTR_STYTCH_USER_ID)).isEqualTo("user-test-9");
        assertThat(request.testerSession().id()).as("rotated again").isNotEqualTo(before2);
        assertThat(request.testerSession().attributes()).containsEntry("stytchMigration.userId", "42")
                .doesNotContainKey(MigrationFilter.SESSION_PENDING_USER_ID);
        assertThat(MigrationFilter.completeSecondFactor(request)).as("nothing pending any more").isNull();
    }
}
