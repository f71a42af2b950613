package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.stytch.java.common.ErrorResponse;
import com.stytch.java.consumer.models.users.CreateRequest;
import com.stytch.java.consumer.models.users.CreateResponse;
import com.stytch.java.consumer.models.users.DeleteRequest;
import com.stytch.java.consumer.models.users.GetRequest;
import com.stytch.java.consumer.models.users.GetResponse;
import com.stytch.java.consumer.models.users.Name;
import com.stytch.java.consumer.models.users.SearchRequest;
import com.stytch.java.consumer.models.users.SearchResponse;
import com.stytch.java.consumer.models.users.SearchUsersQuery;
import com.stytch.java.consumer.models.users.SearchUsersQueryOperator;
import com.stytch.java.consumer.models.users.UpdateRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsersContractTest extends SdkTestSupport {

    private CreateResponse create(String email, String phone, String externalId) {
        return success(client.getUsers().createCompletable(new CreateRequest(email, new Name("Ada", null, "Lovelace"),
                null, phone, null, Map.of("plan", "free"), Map.of(), externalId, List.of())));
    }

    @Test
    void createGetUpdateDeleteRoundTrip() {
        CreateResponse created = create("crud@example.com", "+12025550162", null);
        assertThat(created.getStatus()).isEqualTo("active");
        assertThat(created.getPhoneId()).startsWith("phone-number-test-");
        assertThat(created.getUser().getEmails().get(0).getVerified()).isFalse();

        GetResponse got = success(client.getUsers().getCompletable(new GetRequest(created.getUserId())));
        assertThat(got.getUserId()).isEqualTo(created.getUserId());
        assertThat(got.getName().getLastName()).isEqualTo("Lovelace");
        assertThat(got.getPhoneNumbers()).singleElement().satisfies(p -> assertThat(p.getPhoneNumber())
                .isEqualTo("+12025550162"));
        assertThat(got.getCreatedAt()).isNotNull();
        assertThat(got.getTrustedMetadata()).containsEntry("plan", "free");

        var updated = success(client.getUsers().updateCompletable(new UpdateRequest(created.getUserId(), null, null,
                Map.of("plan", "pro"), Map.of(), "auth0|42", List.of())));
        assertThat(updated.getUser().getExternalId()).isEqualTo("auth0|42");
        assertThat(updated.getUser().getTrustedMetadata()).containsEntry("plan", "pro");

        // The SDK percent-encodes '|' in the path; external ids work wherever a user_id does.
        GetResponse byExternal = success(client.getUsers().getCompletable(new GetRequest("auth0|42")));
        assertThat(byExternal.getUserId()).isEqualTo(created.getUserId());

        success(client.getUsers().deleteCompletable(new DeleteRequest("auth0|42")));
        ErrorResponse gone = responseError(client.getUsers().getCompletable(new GetRequest(created.getUserId())));
        assertThat(gone.getStatusCode()).isEqualTo(404);
        assertThat(gone.getErrorType()).isEqualTo("user_not_found");
    }

    @Test
    void externalIdMustBeUnique() {
        create("one@example.com", null, "legacy-1");
        ErrorResponse duplicate = responseError(client.getUsers().createCompletable(new CreateRequest(
                "two@example.com", null, null, null, null, Map.of(), Map.of(), "legacy-1", List.of())));
        assertThat(duplicate.getStatusCode()).isEqualTo(400);
        assertThat(duplicate.getErrorType()).isEqualTo("duplicate_user_external_id");

        CreateResponse other = create("three@example.com", null, null);
        assertThat(responseError(client.getUsers().updateCompletable(new UpdateRequest(other.getUserId(), null, null,
                Map.of(), Map.of(), "legacy-1", List.of()))).getErrorType()).isEqualTo("duplicate_user_external_id");
    }

    @Test
    void searchFiltersAndPagesWithACursor() {
        for (int i = 0; i < 5; i++) {
            create("page" + i + "@example.com", null, null);
        }
        String phoneUser = create("phone@example.com", "+12025550100", null).getUserId();

        SearchResponse byEmail = success(client.getUsers().searchCompletable(new SearchRequest(null, 10L,
                new SearchUsersQuery(SearchUsersQueryOperator.AND, List.of(Map.of("filter_name", "email_address",
                        "filter_value", List.of("PAGE3@example.com")))))));
        assertThat(byEmail.getResults()).singleElement()
                .satisfies(u -> assertThat(u.getEmails().get(0).getEmail()).isEqualTo("page3@example.com"));

        SearchResponse byPhoneOrId = success(client.getUsers().searchCompletable(new SearchRequest(null, null,
                new SearchUsersQuery(SearchUsersQueryOperator.OR, List.of(
                        Map.of("filter_name", "phone_number", "filter_value", List.of("+12025550100")),
                        Map.of("filter_name", "user_id", "filter_value", List.of(phoneUser)))))));
        assertThat(byPhoneOrId.getResults()).extracting("userId").containsExactly(phoneUser);

        SearchResponse first = success(client.getUsers().searchCompletable(new SearchRequest(null, 4L,
                new SearchUsersQuery(SearchUsersQueryOperator.AND, List.of(Map.of("filter_name", "status",
                        "filter_value", "active"))))));
        assertThat(first.getResults()).hasSize(4);
        assertThat(first.getResultsMetadata().getTotal()).isEqualTo(6);
        SearchResponse second = success(client.getUsers().searchCompletable(new SearchRequest(
                first.getResultsMetadata().getNextCursor(), 4L, null)));
        assertThat(second.getResults()).hasSize(2);
        assertThat(second.getResultsMetadata().getNextCursor()).isNull();
    }

    @Test
    void duplicateEmailIsRejected() {
        create("dup@example.com", null, null);
        assertThat(responseError(client.getUsers().createCompletable(new CreateRequest("DUP@example.com")))
                .getErrorType()).isEqualTo("duplicate_email");
    }
}
