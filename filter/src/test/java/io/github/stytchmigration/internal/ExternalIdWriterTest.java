package io.github.stytchmigration.internal;

import io.github.stytchmigration.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

class ExternalIdWriterTest {
    private final List<String> writes = new ArrayList<>();
    private ExternalIdWrite answer = ExternalIdWrite.written();
    private CompletableFuture<ExternalIdWrite> pending;
    private final MigrationMetrics metrics = new MigrationMetrics();
    private final StytchAuthenticator stytch = new StytchAuthenticator() {
        @Override
        public StytchLogin authenticate(String tokenType, String token, String codeVerifier) {
            throw new AssertionError();
        }

        @Override
        public void revokeInBackground(String sessionToken, String reason) {
        }

        @Override
        public CompletionStage<ExternalIdWrite> writeExternalId(String stytchUserId, String externalId) {
            writes.add(stytchUserId + "=" + externalId);
            return pending != null ? pending : CompletableFuture.completedFuture(answer);
        }

        @Override
        public void close() {
        }
    };
    private final ExternalIdWriter writer = new ExternalIdWriter(stytch, metrics);

    private static StytchIdentity user(String stytchUserId, String externalId) {
        return new StytchIdentity(stytchUserId, List.of(), List.of(), null, null, externalId);
    }

    @Test
    void writesTheInternalIdWhenStytchHasAnotherOrNone() {
        writer.afterLogin(user("user-test-1", null), "42");
        writer.afterLogin(user("user-test-2", "41"), "43");
        assertThat(writes).containsExactly("user-test-1=42", "user-test-2=43");
        assertThat(metrics.externalIdWrites()).isEqualTo(2);
    }

    @Test
    void writesNothingWhenTheIdIsAlreadyThere() {
        writer.afterLogin(user("user-test-1", "42"), "42");
        assertThat(writes).isEmpty();
    }

    @Test
    void aFailedWriteIsLoggedOnceAndTriedAgainAtTheNextLogin() {
        answer = ExternalIdWrite.failed("Stytch update failed (status=503)");
        try (LogCapture logs = LogCapture.start()) {
            writer.afterLogin(user("user-test-1", null), "42");
            assertThat(logs.lines()).filteredOn(l -> l.message().contains("could not set external_id [42] on Stytch user user-test-1"))
                    .hasSize(1);
        }
        answer = ExternalIdWrite.written();
        writer.afterLogin(user("user-test-1", null), "42");
        assertThat(writes).containsExactly("user-test-1=42", "user-test-1=42");
        assertThat(metrics.externalIdWriteFailures()).isEqualTo(1);
        assertThat(metrics.externalIdWrites()).isEqualTo(1);
    }

    @Test
    void aWriteCancelledByAnUndeployIsNoWarningAndTriedAgainAtTheNextLogin() {
        answer = ExternalIdWrite.cancelled("the filter stopped before Stytch answered");
        try (LogCapture logs = LogCapture.start()) {
            writer.afterLogin(user("user-test-1", null), "42");
            assertThat(logs.lines()).filteredOn(l -> l.message().contains("external_id [42]"))
                    .hasSize(1).allMatch(l -> l.level().intValue() < java.util.logging.Level.WARNING.intValue());
        }
        answer = ExternalIdWrite.written();
        writer.afterLogin(user("user-test-1", null), "42");
        assertThat(writes).containsExactly("user-test-1=42", "user-test-1=42");
    }

    @Test
    void aTakenIdIsLoggedWithBothIdsAndRememberedNotRetried() {
        answer = ExternalIdWrite.refused("duplicate_user_external_id");
        try (LogCapture logs = LogCapture.start()) {
            writer.afterLogin(user("user-test-1", null), "42");
            writer.afterLogin(user("user-test-1", null), "42");
            assertThat(logs.text()).contains("Stytch refused external_id [42] for Stytch user user-test-1 (duplicate_user_external_id");
        }
        assertThat(writes).containsExactly("user-test-1=42");
        assertThat(metrics.externalIdRefusals()).isEqualTo(1);
        answer = ExternalIdWrite.written();
        writer.afterLogin(user("user-test-1", null), "77");
        assertThat(writes).as("another internal id (a relink) is tried").containsExactly("user-test-1=42", "user-test-1=77");
    }

    @Test
    void anInvalidIdIsNeverSentAndAnEmailShapedOneIsMasked() {
        try (LogCapture logs = LogCapture.start()) {
            writer.afterLogin(user("user-test-1", null), "alice@example.com");
            writer.afterLogin(user("user-test-1", null), "alice@example.com");
            writer.afterLogin(user("user-test-2", null), "x".repeat(129));
            assertThat(logs.text()).contains("internal id [a***@example.com] of Stytch user user-test-1 is not a valid external_id")
                    .doesNotContain("alice@example.com");
            assertThat(logs.lines()).filteredOn(l -> l.message().contains("not a valid external_id")).hasSize(2);
        }
        assertThat(writes).isEmpty();
        assertThat(metrics.externalIdRefusals()).isEqualTo(2);
    }

    @Test
    void oneWriteAtATimePerStytchUser() {
        pending = new CompletableFuture<>();
        writer.afterLogin(user("user-test-1", null), "42");
        writer.afterLogin(user("user-test-1", null), "42");
        assertThat(writes).hasSize(1);
        pending.complete(ExternalIdWrite.written());
        pending = null;
        writer.afterLogin(user("user-test-1", null), "42");
        assertThat(writes).hasSize(2);
    }
}
