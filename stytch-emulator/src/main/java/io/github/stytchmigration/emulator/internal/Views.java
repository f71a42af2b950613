package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the JSON objects exactly as the Stytch Java SDK decodes them: every list and flag it
 * requires is present (reference §0), timestamps carry a zone, absent tokens are {@code ""}.
 */
final class Views {

    private Views() {
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** The fields of a User object, written into {@code target} (GET /v1/users flattens them). */
    static ObjectNode userInto(ObjectNode target, Model.User u) {
        target.put("user_id", u.userId);
        ArrayNode emails = target.putArray("emails");
        for (Model.Email e : u.emails) {
            emails.addObject().put("email_id", e.emailId).put("email", e.email).put("verified", e.verified);
        }
        target.put("status", u.status);
        target.set("phone_numbers", phones(u));
        target.putArray("webauthn_registrations");
        ArrayNode providers = target.putArray("providers");
        for (Model.Provider p : u.providers) {
            providers.addObject()
                    .put("provider_type", p.providerType())
                    .put("provider_subject", p.providerSubject())
                    .put("profile_picture_url", "")
                    .put("locale", "")
                    .put("oauth_user_registration_id", p.registrationId());
        }
        ArrayNode totps = target.putArray("totps");
        for (Model.Totp t : u.totps) {
            totps.addObject().put("totp_id", t.totpId).put("verified", t.verified);
        }
        target.putArray("crypto_wallets");
        target.putArray("biometric_registrations");
        target.put("is_locked", false);
        target.putArray("roles");
        ObjectNode name = target.putObject("name");
        name.put("first_name", nullToEmpty(u.firstName));
        name.put("middle_name", nullToEmpty(u.middleName));
        name.put("last_name", nullToEmpty(u.lastName));
        target.put("created_at", time(u.createdAt));
        target.putNull("password");
        target.set("trusted_metadata", Json.MAPPER.valueToTree(u.trustedMetadata));
        target.set("untrusted_metadata", Json.MAPPER.valueToTree(u.untrustedMetadata));
        if (u.externalId == null) {
            target.putNull("external_id");
        } else {
            target.put("external_id", u.externalId);
        }
        target.putNull("lock_created_at");
        target.putNull("lock_expires_at");
        return target;
    }

    static ObjectNode user(Model.User u) {
        return userInto(Json.object(), u);
    }

    static ArrayNode phones(Model.User u) {
        ArrayNode phones = Json.array();
        for (Model.Phone p : u.phones) {
            phones.addObject().put("phone_id", p.phoneId).put("phone_number", p.phoneNumber)
                    .put("verified", p.verified);
        }
        return phones;
    }

    static ObjectNode session(Model.Session s) {
        ObjectNode node = Json.object();
        node.put("session_id", s.sessionId);
        node.put("user_id", s.userId);
        node.set("authentication_factors", factors(s));
        node.putArray("roles");
        node.put("started_at", time(s.startedAt));
        node.put("last_accessed_at", time(s.lastAccessedAt));
        node.put("expires_at", time(s.expiresAt));
        node.putObject("attributes").put("ip_address", "").put("user_agent", "");
        node.set("custom_claims", Json.MAPPER.valueToTree(s.customClaims));
        return node;
    }

    static ArrayNode factors(Model.Session s) {
        ArrayNode list = Json.array();
        for (Model.Factor f : s.factors) {
            list.add(factor(f));
        }
        return list;
    }

    static ObjectNode factor(Model.Factor f) {
        ObjectNode node = Json.object();
        node.put("type", f.type());
        node.put("delivery_method", f.deliveryMethod());
        node.put("last_authenticated_at", time(f.lastAuthenticatedAt()));
        node.put("created_at", time(f.lastAuthenticatedAt()));
        node.put("updated_at", time(f.lastAuthenticatedAt()));
        if (f.detailKey() != null) {
            node.set(f.detailKey(), Json.MAPPER.valueToTree(f.detail()));
        }
        return node;
    }

    /** Stytch's error body. */
    static ObjectNode error(int status, String requestId, String errorType, String message) {
        ObjectNode node = Json.object();
        node.put("status_code", status);
        node.put("request_id", requestId);
        node.put("error_type", errorType);
        node.put("error_message", message);
        node.put("error_url", "https://stytch.com/docs/api/errors/" + status);
        return node;
    }

    /** The start of every successful answer: {@code request_id} and {@code status_code} 200. */
    static ObjectNode ok(String requestId) {
        return Json.object().put("request_id", requestId).put("status_code", 200);
    }

    /** A factor detail object from key/value pairs; null values are left out. */
    static Map<String, Object> detail(String... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                map.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return map;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
