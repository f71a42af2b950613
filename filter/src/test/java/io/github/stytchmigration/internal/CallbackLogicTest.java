package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.MigrationResult;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.MigrationException.InvalidTokenException;
import io.github.stytchmigration.internal.MigrationException.RateLimitedException;
import io.github.stytchmigration.internal.MigrationException.StytchUnavailableException;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class CallbackLogicTest {
    private static final String TOKEN = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=";
    private static final StytchIdentity ALICE = new StytchIdentity("user-test-1",
            List.of(StytchIdentity.Identifier.verified("alice@example.com")), List.of(), "Alice", null);

    private final StubStytch stytch = new StubStytch();
    private final StubStore store = new StubStore();
    private final List<String> events = new ArrayList<>();
    private final MigrationListener listener = new MigrationListener() {
        @Override
        public void onSuccess(MigrationResult result) {
            events.add("success:" + result.outcome());
        }

        @Override
        public void onFailure(ErrorCode code, String incidentId) {
            events.add("failure:" + code.code());
        }
    };
    private final CallbackLogic logic = logic(b -> b.listener(listener));

    private CallbackLogic logic(UnaryOperator<MigrationConfig.Builder> settings) {
        MigrationConfig config = settings.apply(MigrationConfig.builder().stytchProjectId("project-test-x")
                .stytchSecret("secret").dataSource(new PGSimpleDataSource())).build();
        return new CallbackLogic(config, stytch, store);
    }

    private static CallbackRequest get(List<String> types, List<String> tokens) {
        return new CallbackRequest("GET", types, tokens, null);
    }

    private CallbackResult assertInvalid(CallbackRequest request) {
        CallbackResult r = logic.handle(request);
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(stytch.calls).as("Stytch is not called for invalid requests").isZero();
        assertThat(store.calls).isZero();
        return r;
    }

    @Test
    void linksThroughStytchAndTheStore() {
        stytch.answer = () -> new StytchLogin(ALICE, "session-token", "jwt", false);
        store.answer = () -> LinkResult.of(MigrationOutcome.LINKED, "42");
        CallbackResult r = logic.handle(get(List.of("magic_links"), List.of(TOKEN)));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.result().outcome()).isEqualTo(MigrationOutcome.LINKED);
        assertThat(r.result().userId()).isEqualTo("42");
        assertThat(r.result().stytchUserId()).isEqualTo("user-test-1");
        assertThat(stytch.lastType).isEqualTo("magic_links");
        assertThat(stytch.lastToken).isEqualTo(TOKEN);
        assertThat(events).containsExactly("success:LINKED");
    }

    @Test
    void rejectsMissingBlankRepeatedAndOversizedTokens() {
        assertInvalid(get(List.of("magic_links"), List.of()));
        assertInvalid(get(List.of("magic_links"), List.of("   ")));
        assertInvalid(get(List.of("magic_links"), List.of(TOKEN, TOKEN)));
        assertInvalid(get(List.of("magic_links"), List.of("a".repeat(CallbackLogic.MAX_TOKEN_LENGTH + 1))));
        assertThat(events).containsOnly("failure:invalid_request");
    }

    @Test
    void acceptsATokenOfTheMaximumLength() {
        stytch.answer = () -> new StytchLogin(ALICE, "", "", false);
        store.answer = () -> LinkResult.of(MigrationOutcome.CREATED, "1");
        assertThat(logic.handle(get(List.of("oauth"), List.of("a".repeat(CallbackLogic.MAX_TOKEN_LENGTH)))).isSuccess()).isTrue();
    }

    @Test
    void rejectsTokensWithCharactersOutsideTheTokenAlphabet() {
        for (String bad : new String[] {"abc'--", "<script>", "a b", "tok\u0000en", "tok\nen", "t\u00e9st", "a;b"}) {
            assertInvalid(get(List.of("magic_links"), List.of(bad)));
        }
    }

    @Test
    void rejectsTokenTypeOutsideAllowList() {
        assertInvalid(get(List.of("reset_password"), List.of(TOKEN)));
        assertInvalid(get(List.of(), List.of(TOKEN)));
        assertInvalid(get(List.of("magic_links", "oauth"), List.of(TOKEN)));
        CallbackLogic onlyOauth = logic(b -> b.tokenTypes("oauth").listener(listener));
        assertThat(onlyOauth.handle(get(List.of("magic_links"), List.of(TOKEN))).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(stytch.calls).isZero();
    }

    @Test
    void rejectsMethodsOtherThanGetAndPost() {
        for (String method : new String[] {"HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"}) {
            assertInvalid(new CallbackRequest(method, List.of("magic_links"), List.of(TOKEN), null));
        }
    }

    @Test
    void passesAPkceVerifierAndRejectsAMalformedOne() {
        stytch.answer = () -> new StytchLogin(ALICE, "", "", false);
        store.answer = () -> LinkResult.of(MigrationOutcome.ALREADY_LINKED, "7");
        String verifier = "00000000000000000000000000000000";
        assertThat(logic.handle(new CallbackRequest("POST", List.of("magic_links"), List.of(TOKEN), verifier)).isSuccess()).isTrue();
        assertThat(stytch.lastVerifier).isEqualTo(verifier);
        assertThat(logic.handle(new CallbackRequest("GET", List.of("magic_links"), List.of(TOKEN), "bad verifier")).error())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void mapsStytchFailuresToTheirCodesWithoutTouchingTheStore() {
        assertFailure(() -> {
            throw new InvalidTokenException("unable_to_auth_magic_link", "used");
        }, ErrorCode.INVALID_TOKEN, -1);
        assertFailure(() -> {
            throw new RateLimitedException("429", 1);
        }, ErrorCode.RATE_LIMITED, 1);
        assertFailure(() -> {
            throw new StytchUnavailableException("503", null, 5);
        }, ErrorCode.STYTCH_UNAVAILABLE, 5);
        assertThat(store.calls).isZero();
    }

    @Test
    void aUsedLinkIsSpentAndOneRefusedForItsPkceVerifierWasOpenedInAnotherBrowser() {
        stytch.answer = () -> {
            throw new InvalidTokenException("unable_to_auth_magic_link", "used");
        };
        CallbackResult used = logic.handle(get(List.of("magic_links"), List.of(TOKEN)));
        assertThat(used.tokenSpent()).isTrue();
        assertThat(used.otherBrowser()).isFalse();

        stytch.answer = () -> {
            throw new InvalidTokenException("pkce_mismatch", "verifier");
        };
        CallbackResult foreign = logic.handle(get(List.of("magic_links"), List.of(TOKEN)));
        assertThat(foreign.error()).isEqualTo(ErrorCode.INVALID_TOKEN);
        assertThat(foreign.otherBrowser()).isTrue();
        assertThat(foreign.tokenSpent()).as("Stytch checks use and expiry first: the link still works where it was asked for")
                .isFalse();
    }

    private void assertFailure(Supplier<StytchLogin> answer, ErrorCode code, long retryAfter) {
        stytch.answer = answer;
        CallbackResult r = logic.handle(get(List.of("magic_links"), List.of(TOKEN)));
        assertThat(r.error()).isEqualTo(code);
        assertThat(r.retryAfterSeconds()).isEqualTo(retryAfter);
    }

    @Test
    void mapsStoreFailuresToTheirCodes() {
        stytch.answer = () -> new StytchLogin(ALICE, "", "", false);
        store.answer = () -> {
            throw new AccountConflictException(AccountConflictException.Reason.AMBIGUOUS, "two rows");
        };
        assertThat(logic.handle(get(List.of("oauth"), List.of(TOKEN))).error()).isEqualTo(ErrorCode.ACCOUNT_CONFLICT);
        store.answer = () -> {
            throw new MigrationException.AccountDisabledException("Row 7 does not satisfy activeUserCondition");
        };
        CallbackResult disabled = logic.handle(get(List.of("oauth"), List.of(TOKEN)));
        assertThat(disabled.error()).isEqualTo(ErrorCode.ACCOUNT_DISABLED);
        assertThat(disabled.retryAfterSeconds()).isNegative();
        store.answer = () -> {
            throw new DatabaseUnavailableException("no connection", null, 5);
        };
        CallbackResult down = logic.handle(get(List.of("oauth"), List.of(TOKEN)));
        assertThat(down.error()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE);
        assertThat(down.retryAfterSeconds()).isEqualTo(5);
    }

    @Test
    void turnsAnUnexpectedExceptionIntoAnInternalErrorWithAnIncidentId() {
        stytch.answer = () -> {
            throw new IllegalStateException("boom");
        };
        CallbackResult r = logic.handle(get(List.of("oauth"), List.of(TOKEN)));
        assertThat(r.error()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(r.incidentId()).matches("[0-9a-f-]{36}");
    }

    @Test
    void aThrowingListenerNeverFailsALogin() {
        stytch.answer = () -> new StytchLogin(ALICE, "", "", false);
        store.answer = () -> LinkResult.of(MigrationOutcome.CREATED, "9");
        MigrationListener throwing = new MigrationListener() {
            @Override
            public void onSuccess(MigrationResult result) {
                throw new IllegalStateException("listener bug");
            }
        };
        CallbackLogic withThrowing = logic(b -> b.listener(throwing));
        assertThat(withThrowing.handle(get(List.of("oauth"), List.of(TOKEN))).isSuccess()).isTrue();
    }

    @Test
    void reportsARelinkAsAnAuditEvent() {
        List<String> audit = new ArrayList<>();
        stytch.answer = () -> new StytchLogin(ALICE, "", "", false);
        store.answer = () -> new LinkResult(MigrationOutcome.LINKED, "5", "user-test-old");
        CallbackLogic audited = logic(b -> b.listener(new MigrationListener() {
            @Override
            public void onRelinked(String userId, String previous, String current) {
                audit.add(userId + ":" + previous + "->" + current);
            }
        }));
        assertThat(audited.handle(get(List.of("oauth"), List.of(TOKEN))).isSuccess()).isTrue();
        assertThat(audit).containsExactly("5:user-test-old->user-test-1");
    }

    @Test
    void offersTheConfirmPageOnAValidGetAndSpendsTheTokenOnlyOnPost() {
        CallbackLogic confirming = logic(b -> b.confirmPage(true).successUrl("/account"));
        CallbackResult page = confirming.handle(get(List.of("magic_links"), List.of(TOKEN)));
        assertThat(page.kind()).isEqualTo(CallbackResult.Kind.CONFIRM);
        assertThat(stytch.calls).as("a GET never spends the token").isZero();

        assertThat(confirming.handle(get(List.of("magic_links"), List.of())).error())
                .as("a malformed GET is refused, not confirmed").isEqualTo(ErrorCode.INVALID_REQUEST);

        stytch.answer = () -> new StytchLogin(ALICE, "", "", false);
        store.answer = () -> LinkResult.of(MigrationOutcome.CREATED, "3");
        CallbackResult posted = confirming.handle(new CallbackRequest("POST", List.of("magic_links"), List.of(TOKEN), null));
        assertThat(posted.kind()).isEqualTo(CallbackResult.Kind.SUCCESS);
        assertThat(stytch.calls).isEqualTo(1);
    }

    @Test
    void aLoginThatFailsAfterStytchMadeItsSessionRevokesThatSession() {
        stytch.answer = () -> new StytchLogin(ALICE, "orphan-session", "jwt", false);
        store.answer = () -> {
            throw new DatabaseUnavailableException("no connection", null, 5);
        };
        CallbackResult down = logic.handle(get(List.of("magic_links"), List.of(TOKEN)));
        assertThat(down.error()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE);
        assertThat(down.tokenSpent()).as("the link cannot work again").isTrue();
        assertThat(stytch.revoked).containsExactly("orphan-session");

        store.answer = () -> {
            throw new AccountConflictException(AccountConflictException.Reason.LINKED_TO_OTHER_USER, "linked elsewhere");
        };
        stytch.answer = () -> new StytchLogin(ALICE, "orphan-2", "jwt", false);
        assertThat(logic.handle(get(List.of("magic_links"), List.of(TOKEN))).error()).isEqualTo(ErrorCode.ACCOUNT_CONFLICT);
        assertThat(stytch.revoked).containsExactly("orphan-session", "orphan-2");
    }

    @Test
    void tellsWhetherTheTokenMayHaveBeenSpent() {
        assertFailure(() -> {
            throw new StytchUnavailableException("503 from Stytch", null, 5);
        }, ErrorCode.STYTCH_UNAVAILABLE, 5);
        assertThat(logic.handle(get(List.of("magic_links"), List.of(TOKEN))).tokenSpent()).isFalse();
        stytch.answer = () -> {
            throw new StytchUnavailableException("timed out", null, 5, true);
        };
        assertThat(logic.handle(get(List.of("magic_links"), List.of(TOKEN))).tokenSpent()).isTrue();
        stytch.answer = () -> {
            throw new InvalidTokenException("unable_to_auth_magic_link", "used");
        };
        assertThat(logic.handle(get(List.of("magic_links"), List.of(TOKEN))).tokenSpent()).isTrue();
        assertThat(logic.handle(get(List.of("magic_links"), List.of())).tokenSpent()).as("never sent").isFalse();
    }

    @Test
    void aLoginOnAnotherUsersSessionReplacesItAndRevokesTheirStytchSession() {
        stytch.answer = () -> new StytchLogin(ALICE, "new-session", "jwt", false);
        store.answer = () -> LinkResult.of(MigrationOutcome.ALREADY_LINKED, "42");
        CallbackResult other = logic.handle(new CallbackRequest("GET", List.of("magic_links"), List.of(TOKEN), null,
                "7", "their-session"));
        assertThat(other.isSuccess()).isTrue();
        assertThat(other.replacesSession()).isTrue();
        assertThat(stytch.revoked).containsExactly("their-session");

        CallbackResult same = logic.handle(new CallbackRequest("GET", List.of("magic_links"), List.of(TOKEN), null,
                "42", "my-earlier-session"));
        assertThat(same.replacesSession()).as("the same user keeps the session").isFalse();
        assertThat(stytch.revoked).as("the replaced Stytch session is revoked").endsWith("my-earlier-session");
    }

    @Test
    void theBulkheadRefusesCallbacksBeyondTheLimitAtOnceWithoutCallingStytch() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        stytch.answer = () -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new StytchLogin(ALICE, "", "", false);
        };
        store.answer = () -> LinkResult.of(MigrationOutcome.ALREADY_LINKED, "1");
        MigrationMetrics metrics = new MigrationMetrics();
        CallbackLogic bounded = new CallbackLogic(MigrationConfig.builder().stytchProjectId("project-test-x")
                .stytchSecret("secret").dataSource(new PGSimpleDataSource()).maxConcurrentCallbacks(2).listener(listener)
                .build(), stytch, store, metrics);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<CallbackResult>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(pool.submit(() -> bounded.handle(get(List.of("oauth"), List.of(TOKEN)))));
            }
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

            CallbackResult refused = bounded.handle(get(List.of("oauth"), List.of(TOKEN)));
            assertThat(refused.error()).isEqualTo(ErrorCode.STYTCH_UNAVAILABLE);
            assertThat(refused.retryAfterSeconds()).isEqualTo(1);
            assertThat(refused.tokenSpent()).isFalse();
            assertThat(stytch.calls).as("the refused callback never reached Stytch").isEqualTo(2);
            assertThat(metrics.inFlight()).isEqualTo(2);
            assertThat(metrics.busyRejections()).isEqualTo(1);
            assertThat(metrics.failures(ErrorCode.STYTCH_UNAVAILABLE)).isEqualTo(1);

            release.countDown();
            for (Future<CallbackResult> f : held) {
                assertThat(f.get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            }
            assertThat(bounded.handle(get(List.of("oauth"), List.of(TOKEN))).isSuccess()).as("permits come back").isTrue();
            assertThat(metrics.inFlight()).isZero();
            assertThat(metrics.logins(MigrationOutcome.ALREADY_LINKED)).isEqualTo(3);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void countsOutcomesFailuresAndTimesStytchAndTheDatabase() {
        MigrationMetrics metrics = new MigrationMetrics();
        CallbackLogic counted = new CallbackLogic(MigrationConfig.builder().stytchProjectId("project-test-x")
                .stytchSecret("secret").dataSource(new PGSimpleDataSource()).build(), stytch, store, metrics);
        stytch.answer = () -> new StytchLogin(ALICE, "session-token", "jwt", false);
        store.answer = () -> LinkResult.of(MigrationOutcome.CREATED, "7");
        counted.handle(get(List.of("magic_links"), List.of(TOKEN)));
        store.answer = () -> {
            throw new AccountConflictException(AccountConflictException.Reason.AMBIGUOUS, "2 rows");
        };
        counted.handle(get(List.of("magic_links"), List.of(TOKEN)));
        stytch.answer = () -> {
            throw new InvalidTokenException("magic_link_not_found", "used");
        };
        counted.handle(get(List.of("magic_links"), List.of(TOKEN)));
        counted.handle(get(List.of("magic_links"), List.of()));

        assertThat(metrics.logins(MigrationOutcome.CREATED)).isEqualTo(1);
        assertThat(metrics.logins()).isEqualTo(1);
        assertThat(metrics.failures(ErrorCode.ACCOUNT_CONFLICT)).isEqualTo(1);
        assertThat(metrics.failures(ErrorCode.INVALID_TOKEN)).isEqualTo(1);
        assertThat(metrics.failures(ErrorCode.INVALID_REQUEST)).isEqualTo(1);
        assertThat(metrics.failures()).isEqualTo(3);
        assertThat(metrics.stytch().count()).as("every Stytch call, failed ones too").isEqualTo(3);
        assertThat(metrics.database().count()).isEqualTo(2);
        assertThat(metrics.inFlight()).isZero();
    }

    @Test
    void writesTheExternalIdAfterALoginOnlyWhenEnabledAndAWriterThatThrowsNeverFailsIt() {
        stytch.answer = () -> new StytchLogin(ALICE, "session-token", "jwt", false);
        store.answer = () -> LinkResult.of(MigrationOutcome.LINKED, "42");
        logic.handle(get(List.of("magic_links"), List.of(TOKEN)));
        assertThat(stytch.externalIdWrites).as("writeExternalId defaults to false").isEmpty();

        CallbackLogic writing = logic(b -> b.writeExternalId(true));
        assertThat(writing.handle(get(List.of("magic_links"), List.of(TOKEN))).isSuccess()).isTrue();
        assertThat(stytch.externalIdWrites).containsExactly("user-test-1=42");

        stytch.throwOnWrite = true;
        store.answer = () -> LinkResult.of(MigrationOutcome.ALREADY_LINKED, "43");
        assertThat(writing.handle(get(List.of("magic_links"), List.of(TOKEN))).isSuccess()).isTrue();
    }

    static final class StubStytch implements StytchAuthenticator {
        Supplier<StytchLogin> answer = () -> {
            throw new AssertionError("not expected");
        };
        volatile int calls;
        String lastType;
        String lastToken;
        String lastVerifier;
        final List<String> revoked = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> externalIdWrites = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean throwOnWrite;

        @Override
        public java.util.concurrent.CompletionStage<ExternalIdWrite> writeExternalId(String stytchUserId, String externalId) {
            if (throwOnWrite) {
                throw new IllegalStateException("boom");
            }
            externalIdWrites.add(stytchUserId + "=" + externalId);
            return java.util.concurrent.CompletableFuture.completedFuture(ExternalIdWrite.written());
        }

        @Override
        public StytchLogin authenticate(String tokenType, String token, String codeVerifier) {
            synchronized (this) {
                calls++;
                lastType = tokenType;
                lastToken = token;
                lastVerifier = codeVerifier;
            }
            return answer.get();
        }

        @Override
        public void revokeInBackground(String sessionToken, String reason) {
            if (sessionToken != null && !sessionToken.isBlank()) {
                revoked.add(sessionToken);
            }
        }

        @Override
        public void close() {
        }
    }

    static final class StubStore implements UserStore {
        Supplier<LinkResult> answer = () -> {
            throw new AssertionError("not expected");
        };
        int calls;

        @Override
        public LinkResult linkOrCreate(StytchIdentity identity) {
            calls++;
            return answer.get();
        }

        @Override
        public void close() {
        }
    }
}
