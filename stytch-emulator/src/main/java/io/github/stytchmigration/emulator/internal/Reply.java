package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;

/** What a handler answers: JSON, an HTML page or a redirect. */
record Reply(int status, String contentType, String body, String location) {

    static Reply json(JsonNode node) {
        return new Reply(200, "application/json", Json.write(node), null);
    }

    static Reply html(int status, String page) {
        return new Reply(status, "text/html; charset=utf-8", page, null);
    }

    static Reply redirect(String location) {
        return new Reply(302, null, null, location);
    }
}
