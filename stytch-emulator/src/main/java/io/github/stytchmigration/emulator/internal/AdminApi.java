package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.OutboxMessage;
import io.github.stytchmigration.emulator.UserUpdate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The emulator-only endpoints under {@code /emulator}: outbox, OAuth tokens, faults, signing keys,
 * users.update records, hold-and-release, reset, the human page.
 */
final class AdminApi {

    private static final DateTimeFormatter SENT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final State state;
    private final OAuthApi oauth;
    private final String projectId;

    AdminApi(State state, OAuthApi oauth, String projectId) {
        this.state = state;
        this.oauth = oauth;
        this.projectId = projectId;
    }

    Reply outbox(Call call) {
        ObjectNode answer = Json.object();
        ArrayNode messages = answer.putArray("messages");
        for (OutboxMessage m : state.outbox(call.queryValue("to"))) {
            messages.addObject().put("to", m.to()).put("kind", m.kind()).put("token", m.token())
                    .put("code", m.code()).put("url", m.url()).put("created_at", Views.time(m.createdAt()));
        }
        return Reply.json(answer);
    }

    Reply oauthToken(Call call) {
        JsonNode body = call.body();
        String token = state.tx(() -> oauth.mint(call, Json.text(body, "provider") == null ? "google"
                        : Json.text(body, "provider"), Json.requiredText(body, "email"),
                !body.has("email_verified") || body.get("email_verified").asBoolean(), Json.text(body, "code_challenge")));
        return Reply.json(Json.object().put("token", token));
    }

    Reply fault(Call call) {
        JsonNode b = call.body();
        Fault fault;
        try {
            fault = new Fault(Json.requiredText(b, "path"), b.path("status").asInt(0), Json.text(b, "error_type"),
                    b.path("delay_ms").asLong(0), b.path("times").asInt(1), b.path("malformed").asBoolean(false),
                    b.path("connection_reset").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        state.addFault(fault);
        return Reply.json(Json.object().put("path", fault.path()).put("times", fault.times()));
    }

    // ---- signing keys ----

    /** GET /emulator/keys: the served key ids, oldest first, and the one that signs. */
    Reply keys(Call call) {
        return Reply.json(keysView(Json.object()));
    }

    /** POST /emulator/keys/rotate: a new key signs from now on; the old ones stay in the JWKS. */
    Reply rotateKey(Call call) {
        state.keys().rotate();
        return Reply.json(keysView(Json.object()));
    }

    /** POST /emulator/keys/drop_old: only the signing key stays in the JWKS. */
    Reply dropOldKeys(Call call) {
        ObjectNode answer = Json.object();
        ArrayNode dropped = answer.putArray("dropped");
        state.keys().dropOld().forEach(dropped::add);
        return Reply.json(keysView(answer));
    }

    private ObjectNode keysView(ObjectNode answer) {
        answer.put("current", state.keys().current().getKeyId());
        ArrayNode kids = answer.putArray("kids");
        state.keys().kids().forEach(kids::add);
        return answer;
    }

    // ---- records ----

    /** GET /emulator/users/updates[?user_id=]: users.update calls, oldest first. */
    Reply userUpdates(Call call) {
        String id = call.queryValue("user_id");
        String userId = id == null ? null : state.findUser(id).map(u -> u.userId).orElse(id);
        ObjectNode answer = Json.object();
        ArrayNode list = answer.putArray("updates");
        for (UserUpdate u : state.userUpdates(userId)) {
            ObjectNode node = list.addObject().put("at", Views.time(u.at())).put("requested_id", u.requestedId())
                    .put("user_id", u.userId());
            ArrayNode fields = node.putArray("fields");
            u.fields().forEach(fields::add);
            node.put("external_id", u.externalId()).put("roles_sent", u.rolesSent());
            if (u.roles() == null) {
                node.putNull("roles");
            } else {
                ArrayNode roles = node.putArray("roles");
                u.roles().forEach(roles::add);
            }
            node.put("status", u.status());
        }
        return Reply.json(answer);
    }

    // ---- hold and release ----

    /** POST /emulator/hold {"count", "timeout_ms" (default 10000), "paths" (default the authenticate calls)}. */
    Reply hold(Call call) {
        JsonNode b = call.body();
        Set<String> paths = new LinkedHashSet<>();
        b.path("paths").forEach(p -> paths.add(p.asText()));
        HoldGate gate;
        try {
            gate = new HoldGate(b.path("count").asInt(0), Duration.ofMillis(b.path("timeout_ms").asLong(10_000)),
                    paths.isEmpty() ? HoldGate.AUTHENTICATE_PATHS : paths);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        state.setHold(gate);
        return Reply.json(holdView(gate));
    }

    /** GET /emulator/hold: the current hold's progress. */
    Reply holdStatus(Call call) {
        return Reply.json(holdView(state.hold()));
    }

    /** DELETE /emulator/hold: lets every waiting answer go now. */
    Reply release(Call call) {
        HoldGate gate = state.hold();
        if (gate != null) {
            gate.release();
        }
        return Reply.json(holdView(gate));
    }

    private static ObjectNode holdView(HoldGate gate) {
        ObjectNode node = Json.object();
        if (gate == null) {
            return node.put("active", false);
        }
        node.put("active", !gate.isOpen()).put("count", gate.count()).put("timeout_ms", gate.timeout().toMillis());
        ArrayNode paths = node.putArray("paths");
        gate.paths().stream().sorted().forEach(paths::add);
        return node.put("held", gate.held()).put("waiting", gate.waiting()).put("released", gate.isOpen())
                .put("timed_out", gate.isTimedOut());
    }

    Reply reset(Call call) {
        state.reset();
        return Reply.json(Json.object().put("reset", true));
    }

    /** GET /emulator: the inbox (newest first, clickable) and the users. */
    Reply page(Call call) {
        List<OutboxMessage> messages = new ArrayList<>(state.outbox(null));
        Collections.reverse(messages);
        StringBuilder sb = new StringBuilder();
        sb.append("<header><h1>Stytch emulator</h1><p>Project <code>").append(Html.escape(projectId))
                .append("</code></p></header>\n<main>\n<section aria-labelledby=\"inbox\"><h2 id=\"inbox\">Inbox</h2>\n");
        if (messages.isEmpty()) {
            sb.append("<p>No messages yet.</p>\n");
        } else {
            sb.append("<table><caption>Newest first</caption><thead><tr><th scope=\"col\">Sent (UTC)</th>"
                    + "<th scope=\"col\">To</th><th scope=\"col\">Kind</th><th scope=\"col\">Link or code</th>"
                    + "</tr></thead><tbody>\n");
            Map<String, String> spent = state.spentMagicLinks();
            for (OutboxMessage m : messages) {
                sb.append("<tr><td class=\"nowrap\">").append(sent(m.createdAt())).append("</td><td>")
                        .append(Html.escape(m.to())).append("</td><td class=\"nowrap\">").append(Html.escape(m.kind()))
                        .append("</td><td>");
                if (m.url() != null) {
                    sb.append("<a href=\"").append(Html.escape(m.url())).append("\">Open magic link for ")
                            .append(Html.escape(m.to())).append("</a>");
                    String fate = spent.get(m.token());
                    if (fate != null) {
                        // still a link: opening it shows how the app answers a spent one
                        sb.append(" <span class=\"spent\">(").append(fate).append(")</span>");
                    }
                } else {
                    sb.append("<code>").append(Html.escape(m.code())).append("</code>");
                }
                sb.append("</td></tr>\n");
            }
            sb.append("</tbody></table>\n");
        }
        sb.append("</section>\n<section aria-labelledby=\"users\"><h2 id=\"users\">Users</h2>\n");
        List<Model.User> users = state.usersSnapshot();
        List<String> rows = state.tx(() -> users.stream().map(AdminApi::row).toList());
        if (rows.isEmpty()) {
            sb.append("<p>No users yet.</p>\n");
        } else {
            sb.append("<table><thead><tr><th scope=\"col\">user_id</th><th scope=\"col\">Status</th>"
                    + "<th scope=\"col\">Emails</th><th scope=\"col\">Phones</th><th scope=\"col\">external_id</th>"
                    + "</tr></thead><tbody>\n");
            rows.forEach(sb::append);
            sb.append("</tbody></table>\n");
        }
        sb.append("</section>\n</main>");
        return Reply.html(200, Html.page("Stytch emulator", sb.toString()));
    }

    /** One line: the day and the second, UTC; the exact instant in {@code datetime}. */
    private static String sent(Instant at) {
        if (at == null) {
            return "";
        }
        return "<time datetime=\"" + at + "\">" + SENT.format(at) + "</time>";
    }

    private static String row(Model.User u) {
        StringBuilder emails = new StringBuilder();
        u.emails.forEach(e -> emails.append(Html.escape(e.email)).append(e.verified ? " (verified)" : " (unverified)")
                .append("<br>"));
        StringBuilder phones = new StringBuilder();
        u.phones.forEach(p -> phones.append(Html.escape(p.phoneNumber)).append(p.verified ? " (verified)" : " (unverified)")
                .append("<br>"));
        return "<tr><td><code>" + Html.escape(u.userId) + "</code></td><td>" + Html.escape(u.status) + "</td><td>"
                + emails + "</td><td>" + phones + "</td><td>" + Html.escape(u.externalId) + "</td></tr>\n";
    }
}
