package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.stytch.java.common.ErrorResponse;
import com.stytch.java.consumer.models.magiclinks.AuthenticateRequest;
import com.stytch.java.consumer.models.users.CreateRequest;
import com.stytch.java.consumer.models.users.DeleteExternalIdRequest;
import com.stytch.java.consumer.models.users.GetRequest;
import com.stytch.java.consumer.models.users.SearchRequest;
import com.stytch.java.consumer.models.users.SearchUsersQuery;
import com.stytch.java.consumer.models.users.SearchUsersQueryOperator;
import com.stytch.java.consumer.models.users.UpdateRequest;
import com.stytch.java.consumer.models.users.UpdateResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExternalIdAndUserUpdatesContractTest extends SdkTestSupport {

    private UpdateResponse update(UpdateRequest request) {
        return success(client.getUsers().updateCompletable(request));
    }

    private ErrorResponse updateFails(UpdateRequest request) {
        return responseError(client.getUsers().updateCompletable(request));
    }

    @Test
    void sdkUpdateRequestSendsRolesAsAnEmptyListUnlessRolesIsNull() {
        String userId = emulator.createUser("roles@example.com", true, null, false);

        update(new UpdateRequest(userId)); // every default
        update(new UpdateRequest(userId, null, null, Map.of(), Map.of(), "legacy-7")); // roles left to its default
        update(new UpdateRequest(userId, null, null, null, null, "legacy-7", null)); // nulls are left out

        List<UserUpdate> updates = emulator.userUpdates(userId);
        assertThat(updates).hasSize(3);
        assertThat(updates.get(0).fields()).containsExactly("user_id", "trusted_metadata", "untrusted_metadata", "roles");
        assertThat(updates.get(0).rolesSent()).isTrue();
        assertThat(updates.get(0).roles()).isEmpty();
        assertThat(updates.get(0).externalId()).isNull();
        assertThat(updates.get(1).fields())
                .containsExactly("user_id", "trusted_metadata", "untrusted_metadata", "external_id", "roles");
        assertThat(updates.get(1).roles()).isEmpty();
        assertThat(updates.get(1).externalId()).isEqualTo("legacy-7");
        assertThat(updates.get(2).fields()).containsExactly("user_id", "external_id");
        assertThat(updates.get(2).rolesSent()).isFalse();
        assertThat(updates.get(2).roles()).isNull();
        assertThat(updates).allSatisfy(u -> {
            assertThat(u.userId()).isEqualTo(userId);
            assertThat(u.requestedId()).isEqualTo(userId);
            assertThat(u.status()).isEqualTo(200);
        });
    }

    @Test
    void externalIdIsInEveryUserObjectAndResolvesWhereAUserIdDoes() {
        String token = emulator.magicLinkToken("ext@example.com");
        var login = success(client.getMagicLinks().authenticateCompletable(
                new AuthenticateRequest(token, null, null, null, 60, null, Map.of(), null, null)));
        assertThat(login.getUser().getExternalId()).isNull();

        UpdateResponse updated = update(new UpdateRequest(login.getUserId(), null, null, null, null, "app.user_42-x|9", null));
        assertThat(updated.getUser().getExternalId()).isEqualTo("app.user_42-x|9");

        assertThat(success(client.getUsers().getCompletable(new GetRequest(login.getUserId()))).getExternalId())
                .isEqualTo("app.user_42-x|9");
        assertThat(success(client.getUsers().getCompletable(new GetRequest("app.user_42-x|9"))).getUserId())
                .isEqualTo(login.getUserId());
        var session = success(client.getSessions().authenticateCompletable(
                new com.stytch.java.consumer.models.sessions.AuthenticateRequest(login.getSessionToken(), null, null,
                        Map.of(), null)));
        assertThat(session.getUser().getExternalId()).isEqualTo("app.user_42-x|9");
        var again = success(client.getMagicLinks().authenticateCompletable(new AuthenticateRequest(
                emulator.magicLinkToken("ext@example.com"), null, null, null, 60, null, Map.of(), null, null)));
        assertThat(again.getUser().getExternalId()).isEqualTo("app.user_42-x|9");
        var oauth = success(client.getOauth().authenticateCompletable(
                new com.stytch.java.consumer.models.oauth.AuthenticateRequest(
                        emulator.oauthToken("google", "ext@example.com", true))));
        assertThat(oauth.getUser().getExternalId()).isEqualTo("app.user_42-x|9");

        var found = success(client.getUsers().searchCompletable(new SearchRequest(null, null,
                new SearchUsersQuery(SearchUsersQueryOperator.AND, List.of(Map.of("filter_name", "user_id",
                        "filter_value", List.of("app.user_42-x|9")))))));
        assertThat(found.getResults()).singleElement().satisfies(u -> {
            assertThat(u.getUserId()).isEqualTo(login.getUserId());
            assertThat(u.getExternalId()).isEqualTo("app.user_42-x|9");
        });
        // The updates can be read by the external id as well.
        assertThat(emulator.userUpdates("app.user_42-x|9")).hasSize(1);
    }

    @Test
    void externalIdMustBeValidAndUniqueAndFailedUpdatesAreRecorded() {
        var created = success(client.getUsers().createCompletable(new CreateRequest("first@example.com", null, null,
                null, null, null, null, "x".repeat(128), null)));
        assertThat(created.getUser().getExternalId()).hasSize(128);
        String other = emulator.createUser("second@example.com", true, null, false);

        ErrorResponse taken = updateFails(new UpdateRequest(other, null, null, null, null, "x".repeat(128), null));
        assertThat(taken.getStatusCode()).isEqualTo(400);
        assertThat(taken.getErrorType()).isEqualTo("duplicate_user_external_id");
        ErrorResponse someonesUserId = updateFails(new UpdateRequest(other, null, null, null, null,
                created.getUserId(), null));
        assertThat(someonesUserId.getErrorType()).isEqualTo("duplicate_user_external_id");
        for (String bad : List.of("x".repeat(129), "has space", "slash/no", "emoji\u00e9")) {
            ErrorResponse invalid = updateFails(new UpdateRequest(other, null, null, null, null, bad, null));
            assertThat(invalid.getStatusCode()).as(bad).isEqualTo(400);
            assertThat(invalid.getErrorType()).as(bad).isEqualTo("invalid_external_id");
        }
        // Setting a user's own external id again is fine.
        update(new UpdateRequest(created.getUserId(), null, null, null, null, "x".repeat(128), null));

        assertThat(emulator.userUpdates(other)).extracting(UserUpdate::status).containsExactly(400, 400, 400, 400, 400, 400);
        assertThat(emulator.userUpdates(other)).allSatisfy(u -> assertThat(u.userId()).isEqualTo(other));
        assertThat(success(client.getUsers().getCompletable(new GetRequest(other))).getExternalId()).isNull();

        ErrorResponse missing = updateFails(new UpdateRequest("user-test-nobody"));
        assertThat(missing.getErrorType()).isEqualTo("user_not_found");
        assertThat(emulator.userUpdates()).last().satisfies(u -> {
            assertThat(u.requestedId()).isEqualTo("user-test-nobody");
            assertThat(u.userId()).isNull();
            assertThat(u.status()).isEqualTo(404);
        });
    }

    @Test
    void deleteExternalIdFreesIt() {
        String userId = emulator.createUser("del@example.com", true, null, false);
        update(new UpdateRequest(userId, null, null, null, null, "legacy-del", null));
        var deleted = success(client.getUsers().deleteExternalIdCompletable(new DeleteExternalIdRequest("legacy-del")));
        assertThat(deleted.getUserId()).isEqualTo(userId);
        assertThat(deleted.getUser().getExternalId()).isNull();
        assertThat(responseError(client.getUsers().getCompletable(new GetRequest("legacy-del"))).getErrorType())
                .isEqualTo("user_not_found");
        // Deleting it is not a users.update.
        assertThat(emulator.userUpdates(userId)).hasSize(1);
    }

    @Test
    void updatesEndpointListsCallsPerUser() {
        String a = emulator.createUser("a@example.com", true, null, false);
        String b = emulator.createUser("b@example.com", true, null, false);
        update(new UpdateRequest(a, null, null, null, null, "legacy-a", List.of()));
        update(new UpdateRequest(b));

        JsonNode forA = httpOk("GET", "/emulator/users/updates?user_id=legacy-a", null).get("updates");
        assertThat(forA).hasSize(1);
        JsonNode one = forA.get(0);
        assertThat(one.get("user_id").asText()).isEqualTo(a);
        assertThat(one.get("requested_id").asText()).isEqualTo(a);
        assertThat(one.get("external_id").asText()).isEqualTo("legacy-a");
        assertThat(one.get("roles_sent").asBoolean()).isTrue();
        assertThat(one.get("roles").isArray()).isTrue();
        assertThat(one.get("fields").toString()).isEqualTo("[\"user_id\",\"external_id\",\"roles\"]");
        assertThat(one.get("status").asInt()).isEqualTo(200);
        assertThat(one.get("at").asText()).endsWith("Z");
        assertThat(httpOk("GET", "/emulator/users/updates", null).get("updates")).hasSize(2);
    }
}
