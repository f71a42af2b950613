package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.stytchmigration.emulator.UserUpdate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** {@code /v1/users}: create, get, update, delete and search. */
final class UsersApi {

    private static final Pattern EXTERNAL_ID = Pattern.compile("[A-Za-z0-9._|-]{1,128}");
    static final int DEFAULT_SEARCH_LIMIT = 100;
    static final int MAX_SEARCH_LIMIT = 1000;

    private final State state;

    UsersApi(State state) {
        this.state = state;
    }

    Reply create(Call call) {
        String email = Json.text(call.body(), "email");
        String phone = Json.text(call.body(), "phone_number");
        Model.User user = create(email, false, phone, false,
                Json.bool(call.body(), "create_user_as_pending") ? "pending" : "active",
                Json.text(call.body(), "external_id"));
        applyName(user, call.body());
        applyMetadata(user, call.body());
        ObjectNode answer = Views.ok(call.requestId())
                .put("user_id", user.userId)
                .put("email_id", user.emails.isEmpty() ? "" : user.emails.get(0).emailId)
                .put("status", user.status)
                .put("phone_id", user.phones.isEmpty() ? "" : user.phones.get(0).phoneId);
        answer.set("user", Views.user(user));
        return Reply.json(answer);
    }

    /** Creates a user; also the Java API's {@code createUser}. Call inside tx. */
    Model.User create(String rawEmail, boolean emailVerified, String phone, boolean phoneVerified, String status,
                      String externalId) {
        String email = rawEmail == null ? null : MagicLinksApi.email(rawEmail);
        if (email != null && state.userByEmail(email).isPresent()) {
            throw new ApiException(400, "duplicate_email", "A user with this email already exists.");
        }
        if (phone != null && !Sandbox.E164.matcher(phone).matches()) {
            throw new ApiException(400, "invalid_phone_number", "Phone number format is invalid; use E.164.");
        }
        if (phone != null && state.userByPhone(phone).isPresent()) {
            throw new ApiException(400, "duplicate_phone_number", "A user with this phone number already exists.");
        }
        checkExternalId(externalId, null);
        Model.User user = state.newUser(status);
        if (email != null) {
            state.addEmail(user, email, emailVerified);
        }
        if (phone != null) {
            state.addPhone(user, phone, phoneVerified);
        }
        user.externalId = externalId;
        return user;
    }

    Reply get(Call call) {
        Model.User user = state.user(call.param(0));
        return Reply.json(Views.userInto(Views.ok(call.requestId()), user));
    }

    /** PUT /v1/users/{id}; every call that gets here is recorded, failed ones too. */
    Reply update(Call call) {
        Model.User found = state.findUser(call.param(0)).orElse(null);
        try {
            Reply reply = update(call, found);
            recordUpdate(call, found, 200);
            return reply;
        } catch (ApiException e) {
            recordUpdate(call, found, e.status());
            throw e;
        }
    }

    private Reply update(Call call, Model.User user) {
        if (user == null) {
            throw ApiException.userNotFound();
        }
        String externalId = Json.text(call.body(), "external_id");
        if (externalId != null) {
            checkExternalId(externalId, user);
        }
        applyName(user, call.body());
        applyMetadata(user, call.body());
        if (externalId != null) {
            user.externalId = externalId;
        }
        ObjectNode answer = Views.ok(call.requestId()).put("user_id", user.userId);
        ObjectNode view = Views.user(user);
        answer.set("emails", view.get("emails"));
        answer.set("phone_numbers", view.get("phone_numbers"));
        answer.set("crypto_wallets", view.get("crypto_wallets"));
        answer.set("user", view);
        return Reply.json(answer);
    }

    private void recordUpdate(Call call, Model.User user, int status) {
        List<String> fields = new ArrayList<>();
        call.body().fieldNames().forEachRemaining(fields::add);
        JsonNode externalId = call.body().get("external_id");
        JsonNode roles = call.body().get("roles");
        List<String> roleValues = null;
        if (roles != null && roles.isArray()) {
            roleValues = new ArrayList<>();
            for (JsonNode role : roles) {
                roleValues.add(role.asText());
            }
        }
        state.recordUserUpdate(new UserUpdate(call.now(), call.param(0), user == null ? null : user.userId, fields,
                externalId == null || externalId.isNull() ? null : externalId.asText(), roles != null, roleValues,
                status));
    }

    /** DELETE /v1/users/{id}/external_id. */
    Reply deleteExternalId(Call call) {
        Model.User user = state.user(call.param(0));
        user.externalId = null;
        ObjectNode answer = Views.ok(call.requestId()).put("user_id", user.userId);
        answer.set("user", Views.user(user));
        return Reply.json(answer);
    }

    Reply delete(Call call) {
        Model.User user = state.user(call.param(0));
        state.deleteUser(user);
        return Reply.json(Views.ok(call.requestId()).put("user_id", user.userId));
    }

    Reply search(Call call) {
        Integer limitValue = Json.integer(call.body(), "limit");
        int limit = limitValue == null ? DEFAULT_SEARCH_LIMIT : limitValue;
        if (limit < 1 || limit > MAX_SEARCH_LIMIT) {
            throw new ApiException(400, "invalid_limit", "limit must be between 1 and 1000.");
        }
        int offset = cursorOffset(Json.text(call.body(), "cursor"));
        Predicate<Model.User> filter = query(call.body().get("query"));
        List<Model.User> matches = state.users.values().stream().filter(filter).toList();
        List<Model.User> page = matches.subList(Math.min(offset, matches.size()),
                Math.min(offset + limit, matches.size()));
        ObjectNode answer = Views.ok(call.requestId());
        ArrayNode results = answer.putArray("results");
        page.forEach(u -> results.add(Views.user(u)));
        ObjectNode meta = answer.putObject("results_metadata").put("total", matches.size());
        int next = offset + page.size();
        if (next < matches.size()) {
            meta.put("next_cursor", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("offset:" + next).getBytes(StandardCharsets.UTF_8)));
        } else {
            meta.putNull("next_cursor");
        }
        return Reply.json(answer);
    }

    private static int cursorOffset(String cursor) {
        if (cursor == null) {
            return 0;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("offset:")) {
                return Integer.parseInt(text.substring("offset:".length()));
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new ApiException(400, "invalid_cursor", "cursor is invalid.");
    }

    private Predicate<Model.User> query(JsonNode query) {
        if (query == null || query.isNull()) {
            return u -> true;
        }
        String operator = query.path("operator").asText("AND").toUpperCase(Locale.ROOT);
        if (!operator.equals("AND") && !operator.equals("OR")) {
            throw new ApiException(400, "invalid_search_query", "operator must be AND or OR.");
        }
        List<Predicate<Model.User>> operands = new ArrayList<>();
        for (JsonNode operand : query.path("operands")) {
            operands.add(operand(operand.path("filter_name").asText(""), operand.get("filter_value")));
        }
        if (operands.isEmpty()) {
            return u -> true;
        }
        return operator.equals("AND")
                ? u -> operands.stream().allMatch(p -> p.test(u))
                : u -> operands.stream().anyMatch(p -> p.test(u));
    }

    private Predicate<Model.User> operand(String name, JsonNode value) {
        if (value == null || value.isNull()) {
            throw new ApiException(400, "invalid_search_query", "filter_value is required for " + name + ".");
        }
        switch (name) {
            case "user_id": {
                List<String> ids = strings(value);
                return u -> ids.contains(u.userId) || (u.externalId != null && ids.contains(u.externalId));
            }
            case "email_address": {
                List<String> emails = strings(value).stream().map(e -> e.toLowerCase(Locale.ROOT)).toList();
                return u -> u.emails.stream().anyMatch(e -> emails.contains(e.email));
            }
            case "email_address_fuzzy": {
                String part = value.asText().toLowerCase(Locale.ROOT);
                return u -> u.emails.stream().anyMatch(e -> e.email.contains(part));
            }
            case "phone_number": {
                List<String> phones = strings(value);
                return u -> u.phones.stream().anyMatch(p -> phones.contains(p.phoneNumber));
            }
            case "phone_number_fuzzy": {
                String part = value.asText();
                return u -> u.phones.stream().anyMatch(p -> p.phoneNumber.contains(part));
            }
            case "status": {
                String status = value.asText();
                return u -> u.status.equals(status);
            }
            case "email_verified": {
                boolean verified = value.asBoolean();
                return u -> u.emails.stream().anyMatch(e -> e.verified == verified);
            }
            case "phone_verified": {
                boolean verified = value.asBoolean();
                return u -> u.phones.stream().anyMatch(p -> p.verified == verified);
            }
            case "oauth_provider": {
                List<String> providers = strings(value).stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
                return u -> u.providers.stream().anyMatch(p -> providers.contains(p.provider()));
            }
            default:
                throw new ApiException(400, "invalid_search_query", "Unsupported filter_name " + name + ".");
        }
    }

    private static List<String> strings(JsonNode value) {
        List<String> list = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(v -> list.add(v.asText()));
        } else {
            list.add(value.asText());
        }
        return list;
    }

    private void checkExternalId(String externalId, Model.User self) {
        if (externalId == null) {
            return;
        }
        if (!EXTERNAL_ID.matcher(externalId).matches()) {
            throw new ApiException(400, "invalid_external_id",
                    "external_id must be 1..128 characters of letters, digits, '.', '_', '-', '|'.");
        }
        for (Model.User other : state.users.values()) {
            if (other != self && (externalId.equals(other.externalId) || externalId.equals(other.userId))) {
                throw new ApiException(400, "duplicate_user_external_id", "A user with this external_id already exists.");
            }
        }
    }

    private static void applyName(Model.User user, JsonNode body) {
        JsonNode name = body.get("name");
        if (name == null || !name.isObject()) {
            return;
        }
        if (name.hasNonNull("first_name")) {
            user.firstName = name.get("first_name").asText();
        }
        if (name.hasNonNull("middle_name")) {
            user.middleName = name.get("middle_name").asText();
        }
        if (name.hasNonNull("last_name")) {
            user.lastName = name.get("last_name").asText();
        }
    }

    /** Top-level merge; a null value deletes the key (as Stytch; the Java SDK cannot send one). */
    private static void applyMetadata(Model.User user, JsonNode body) {
        merge(user.trustedMetadata, Json.map(body, "trusted_metadata"));
        merge(user.untrustedMetadata, Json.map(body, "untrusted_metadata"));
    }

    private static void merge(Map<String, Object> target, Map<String, Object> changes) {
        if (changes == null) {
            return;
        }
        changes.forEach((k, v) -> {
            if (v == null) {
                target.remove(k);
            } else {
                target.put(k, v);
            }
        });
    }
}
