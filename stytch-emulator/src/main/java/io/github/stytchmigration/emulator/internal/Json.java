package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Map;

/** The one Jackson mapper, and small helpers for reading request bodies. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a request body; empty means {}; not a JSON object is 400. */
    static ObjectNode parseBody(String body) {
        if (body == null || body.isBlank()) {
            return object();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node instanceof ObjectNode obj) {
                return obj;
            }
        } catch (JsonProcessingException e) {
            // fall through to the error below
        }
        throw new ApiException(400, "invalid_request_body", "The request body must be a JSON object.");
    }

    /** A non-blank string field, or null. */
    static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field + " must be a string.");
        }
        String value = node.asText();
        return value.isBlank() ? null : value;
    }

    static String requiredText(JsonNode body, String field) {
        String value = text(body, field);
        if (value == null) {
            throw ApiException.badRequest(field + " is required.");
        }
        return value;
    }

    static Integer integer(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw ApiException.badRequest(field + " must be an integer.");
        }
        return node.asInt();
    }

    static boolean bool(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node != null && node.asBoolean(false);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest(field + " must be an object.");
        }
        return MAPPER.convertValue(node, Map.class);
    }
}
