package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stytch.java.consumer.models.magiclinksemail.LoginOrCreateRequest;
import com.stytch.java.consumer.models.oauth.AuthenticateRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class EmulatorAdminTest extends SdkTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void acceptsJsonThatCurlLabelsAsAForm() throws Exception {
        // what `curl -X POST .../emulator/oauth/token -d '{...}'` sends
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/emulator/oauth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"provider\":\"google\",\"email\":\"curl@example.com\",\"email_verified\":true}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(r.body()).path("token").asText()).isNotBlank();
    }

    @Test
    void outboxEndpointListsMessagesOldestFirst() throws Exception {
        success(client.getMagicLinks().getEmail().loginOrCreateCompletable(new LoginOrCreateRequest("in@example.com")));
        success(client.getMagicLinks().getEmail().loginOrCreateCompletable(new LoginOrCreateRequest("in@example.com")));
        JsonNode body = json.readTree(get("/emulator/outbox?to=in%40example.com").body());
        assertThat(body.get("messages")).hasSize(2);
        JsonNode first = body.get("messages").get(0);
        assertThat(first.get("to").asText()).isEqualTo("in@example.com");
        assertThat(first.get("kind").asText()).isEqualTo("magic_link");
        assertThat(first.get("url").asText()).endsWith("token=" + first.get("token").asText());
        assertThat(first.get("created_at").asText()).endsWith("Z");
        assertThat(first.get("token").asText()).isEqualTo(emulator.outbox("in@example.com").get(0).token());
    }

    @Test
    void oauthTokenEndpointMintsATokenTheSdkAuthenticates() throws Exception {
        HttpResponse<String> answer = post("/emulator/oauth/token",
                "{\"provider\":\"google\",\"email\":\"tok@example.com\",\"email_verified\":true}");
        assertThat(answer.statusCode()).isEqualTo(200);
        String token = json.readTree(answer.body()).get("token").asText();
        var response = success(client.getOauth().authenticateCompletable(new AuthenticateRequest(token)));
        assertThat(response.getUser().getEmails().get(0).getVerified()).isTrue();
    }

    @Test
    void faultsEndpointInjectsAndResetEndpointClears() throws Exception {
        assertThat(post("/emulator/faults", "{\"path\":\"/v1/users/search\",\"status\":500,\"times\":1}").statusCode())
                .isEqualTo(200);
        assertThat(post("/emulator/faults", "{\"path\":\"nope\"}").statusCode()).isEqualTo(400);
        emulator.createUser("kept@example.com", true, null, false);
        assertThat(post("/emulator/reset", "").statusCode()).isEqualTo(200);
        // The fault is gone, and so is the user.
        var search = success(client.getUsers().searchCompletable(
                new com.stytch.java.consumer.models.users.SearchRequest()));
        assertThat(search.getResults()).isEmpty();
    }

    @Test
    void humanPageShowsTheInboxWithLinksAndTheUsers() throws Exception {
        emulator.magicLinkToken("page<b>@example.com".replace("<b>", ""));
        emulator.createUser("user@example.com", true, "+12025550111", false);
        HttpResponse<String> page = get("/emulator");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<html lang=\"en\"").contains("<a href=\"http://localhost:3000/authenticate?")
                .contains("user@example.com").contains("+12025550111");
    }

    @Test
    void humanPageMarksUsedAndExpiredLinksAndKeepsEachTimeOnOneLine() throws Exception {
        String used = emulator.magicLinkToken("marks@example.com");
        String fresh = emulator.magicLinkToken("marks@example.com");
        success(client.getMagicLinks().authenticateCompletable(new com.stytch.java.consumer.models.magiclinks.AuthenticateRequest(
                used, null, null, null, 60, null, java.util.Map.of(), null, null)));
        String page = get("/emulator").body();
        assertThat(row(page, used)).contains("<span class=\"spent\">(used)</span>").contains("<td class=\"nowrap\"><time datetime=\"");
        assertThat(row(page, fresh)).doesNotContain("class=\"spent\"");
        assertThat(page).contains("td.nowrap{white-space:nowrap}");

        // past a sign-up link's week the unused one has expired: it says so, and the used one stays "used"
        emulator.setClock(java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofDays(8)));
        try {
            String later = get("/emulator").body();
            assertThat(row(later, fresh)).contains("(expired)");
            assertThat(row(later, used)).contains("(used)").doesNotContain("(expired)");
        } finally {
            emulator.setClock(java.time.Clock.systemUTC());
        }
    }

    /** The inbox row whose link carries this token. */
    private static String row(String page, String token) {
        int at = page.indexOf("token=" + token + "\"");
        assertThat(at).as("a link with token " + token).isGreaterThan(0);
        return page.substring(page.lastIndexOf("<tr>", at), page.indexOf("</tr>", at));
    }

    @Test
    void jwksIsServedWithoutCredentialsAndApiPathsNeedThem() throws Exception {
        HttpResponse<String> jwks = get("/v1/sessions/jwks/" + emulator.projectId());
        assertThat(jwks.statusCode()).isEqualTo(200);
        JsonNode key = json.readTree(jwks.body()).get("keys").get(0);
        assertThat(key.get("kty").asText()).isEqualTo("RSA");
        assertThat(key.get("alg").asText()).isEqualTo("RS256");
        assertThat(key.has("kid")).isTrue();
        assertThat(key.has("d")).isFalse();

        HttpResponse<String> noAuth = post("/v1/users/search", "{}");
        assertThat(noAuth.statusCode()).isEqualTo(401);
        JsonNode error = json.readTree(noAuth.body());
        assertThat(error.get("error_type").asText()).isEqualTo("unauthorized_credentials");
        assertThat(error.get("request_id").asText()).startsWith("request-id-test-");
        assertThat(error.get("error_url").asText()).isEqualTo("https://stytch.com/docs/api/errors/401");
        assertThat(error.size()).isEqualTo(5);
    }

    @Test
    void closeIsIdempotentAndStopsListening() throws Exception {
        StytchEmulator other = StytchEmulator.builder().projectId("project-test-other").secret("s").start();
        assertThat(other.baseUrl()).isEqualTo("http://127.0.0.1:" + other.port()).doesNotEndWith("/");
        other.close();
        other.close();
        try (var socket = new java.net.Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> socket.connect(
                    new java.net.InetSocketAddress("127.0.0.1", other.port()), 500)).isInstanceOf(java.io.IOException.class);
        }
    }
}
