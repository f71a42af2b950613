package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.models.magiclinks.AuthenticateRequest;
import com.stytch.java.consumer.models.magiclinks.AuthenticateResponse;
import com.stytch.java.consumer.models.users.GetRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class HoldAndReleaseContractTest extends SdkTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private CompletableFuture<StytchResult<AuthenticateResponse>> magicLinkLogin(String email) {
        return client.getMagicLinks().authenticateCompletable(new AuthenticateRequest(
                emulator.magicLinkToken(email), null, null, null, 60, null, Map.of(), null, null));
    }

    @Test
    void authenticateAnswersWaitUntilAllArrivedThenGoTogether() throws Exception {
        String userId = emulator.createUser("race@example.com", true, null, false);
        Hold hold = emulator.holdAuthenticateAnswers(3, WAIT);

        var first = magicLinkLogin("race@example.com");
        var second = client.getOauth().authenticateCompletable(new com.stytch.java.consumer.models.oauth
                .AuthenticateRequest(emulator.oauthToken("google", "race@example.com", true), null, 60, null,
                Map.of(), null, null));
        assertThat(hold.awaitHeld(2, WAIT)).isTrue();
        Thread.sleep(200);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(hold.waiting()).isEqualTo(2);
        // Held answers hold no lock: other calls are answered meanwhile.
        assertThat(success(client.getUsers().getCompletable(new GetRequest(userId))).getUserId()).isEqualTo(userId);

        FrontendSession browser = emulator.startSessionForEmail("race@example.com");
        var third = client.getSessions().authenticateCompletable(new com.stytch.java.consumer.models.sessions
                .AuthenticateRequest(browser.sessionToken(), null, null, Map.of(), null));

        assertThat(success(first).getUserId()).isEqualTo(userId);
        assertThat(success(second).getUserId()).isEqualTo(userId);
        assertThat(success(third).getUser().getUserId()).isEqualTo(userId);
        assertThat(hold.isReleased()).isTrue();
        assertThat(hold.isTimedOut()).isFalse();
        assertThat(hold.held()).isEqualTo(3);
        // Once released, nothing more is held.
        assertThat(success(magicLinkLogin("race@example.com")).getUserId()).isEqualTo(userId);
    }

    @Test
    void heldAnswersGoAfterTheTimeoutWhenTooFewArrive() throws Exception {
        Hold hold = emulator.holdAuthenticateAnswers(2, Duration.ofMillis(400));
        long start = System.nanoTime();
        AuthenticateResponse alone = success(magicLinkLogin("alone@example.com"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(alone.getSessionToken()).isNotBlank();
        assertThat(hold.isTimedOut()).isTrue();
        assertThat(hold.held()).isEqualTo(1);
    }

    @Test
    void holdAppliesOnlyToItsPathsAndReleaseLetsWaitingAnswersGo() throws Exception {
        Hold hold = emulator.holdAnswers(2, WAIT, Set.of("/v1/magic_links/authenticate"));
        var held = magicLinkLogin("held@example.com");
        assertThat(hold.awaitHeld(1, WAIT)).isTrue();
        // A path outside the hold is not held.
        success(client.getOauth().authenticateCompletable(new com.stytch.java.consumer.models.oauth
                .AuthenticateRequest(emulator.oauthToken("google", "free@example.com", true))));
        assertThat(held).isNotDone();

        hold.release();
        assertThat(success(held).getSessionToken()).isNotBlank();
        assertThat(hold.isTimedOut()).isFalse();
        assertThatThrownBy(() -> emulator.holdAuthenticateAnswers(0, WAIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count [0] must be 1..32");
    }

    @Test
    void resetReleasesAWaitingAnswer() throws Exception {
        Hold hold = emulator.holdAuthenticateAnswers(2, WAIT);
        var held = magicLinkLogin("reset@example.com");
        assertThat(hold.awaitHeld(1, WAIT)).isTrue();
        emulator.reset();
        assertThat(await(held)).isNotNull();
        assertThat(hold.isReleased()).isTrue();
    }

    @Test
    void holdEndpointsSetReportAndRelease() throws Exception {
        JsonNode set = httpOk("POST", "/emulator/hold", "{\"count\":2,\"timeout_ms\":10000}");
        assertThat(set.get("active").asBoolean()).isTrue();
        assertThat(set.get("paths").toString())
                .isEqualTo("[\"/v1/magic_links/authenticate\",\"/v1/oauth/authenticate\",\"/v1/sessions/authenticate\"]");

        var held = magicLinkLogin("endpoint@example.com");
        Thread.sleep(100);
        JsonNode status = httpOk("GET", "/emulator/hold", null);
        for (int i = 0; i < 50 && status.get("waiting").asInt() < 1; i++) {
            Thread.sleep(100);
            status = httpOk("GET", "/emulator/hold", null);
        }
        assertThat(status.get("waiting").asInt()).isEqualTo(1);
        assertThat(status.get("released").asBoolean()).isFalse();

        JsonNode released = httpOk("DELETE", "/emulator/hold", null);
        assertThat(released.get("released").asBoolean()).isTrue();
        assertThat(released.get("active").asBoolean()).isFalse();
        assertThat(success(held).getSessionToken()).isNotBlank();

        assertThat(http("POST", "/emulator/hold", "{\"count\":33}").statusCode()).isEqualTo(400);
        assertThat(http("POST", "/emulator/hold", "{\"count\":2,\"paths\":[\"nope\"]}").statusCode()).isEqualTo(400);
    }
}
