package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.stytchmigration.emulator.SessionRecord;

/** {@code /v1/sessions/*}: authenticate, revoke, list, and the JWKS. */
final class SessionsApi {

    private final State state;
    private final SessionIssuer issuer;
    private final Jwts jwts;
    private final String projectId;

    SessionsApi(State state, SessionIssuer issuer, Jwts jwts, String projectId) {
        this.state = state;
        this.issuer = issuer;
        this.jwts = jwts;
        this.projectId = projectId;
    }

    Reply authenticate(Call call) {
        if (Sandbox.SESSION_OK.equals(Json.text(call.body(), "session_token"))) {
            Sandbox.session(state, call.now());
        }
        SessionIssuer.Issued issued = issuer.refresh(call);
        Model.User user = state.user(issued.session().userId);
        ObjectNode answer = Views.ok(call.requestId());
        answer.set("user", Views.user(user));
        SessionIssuer.write(answer, issued, "session");
        return Reply.json(answer);
    }

    Reply revoke(Call call) {
        String id = Json.text(call.body(), "session_id");
        String token = Json.text(call.body(), "session_token");
        String jwt = Json.text(call.body(), "session_jwt");
        int given = (id == null ? 0 : 1) + (token == null ? 0 : 1) + (jwt == null ? 0 : 1);
        if (given == 0) {
            throw new ApiException(400, "no_session_arguments", "Send one of session_id, session_token, session_jwt.");
        }
        if (given > 1) {
            throw new ApiException(400, "too_many_session_arguments",
                    "Send only one of session_id, session_token, session_jwt.");
        }
        Model.Session session;
        if (id != null) {
            session = state.liveSessionById(id).orElseThrow(SessionIssuer::sessionNotFound);
        } else if (token != null) {
            session = state.liveSessionByToken(token).orElseThrow(SessionIssuer::sessionNotFound);
        } else {
            session = state.liveSessionById(jwts.sessionIdOf(jwt)).orElseThrow(SessionIssuer::sessionNotFound);
        }
        state.revoke(session, SessionRecord.VIA_API);
        return Reply.json(Views.ok(call.requestId()));
    }

    /** GET /v1/sessions?user_id=: the user's live sessions. */
    Reply list(Call call) {
        String userId = call.queryValue("user_id");
        if (userId == null) {
            throw ApiException.badRequest("user_id is required.");
        }
        Model.User user = state.user(userId);
        ObjectNode answer = Views.ok(call.requestId());
        ArrayNode list = answer.putArray("sessions");
        state.sessions.values().stream()
                .filter(s -> s.userId.equals(user.userId) && s.liveAt(call.now()))
                .forEach(s -> list.add(Views.session(s)));
        return Reply.json(answer);
    }

    /**
     * GET /v1/sessions/jwks/{project_id}: served without credentials, as Stytch does, and without the
     * state lock (making a key's certificate the first time must not hold up other calls).
     */
    Reply jwks(Call call) {
        if (!projectId.equals(call.param(0))) {
            throw new ApiException(404, "project_not_found", "Project could not be found.");
        }
        ObjectNode answer = Json.object();
        answer.set("keys", jwts.keys().publicJwks());
        answer.put("request_id", call.requestId());
        answer.put("status_code", 200);
        return Reply.json(answer);
    }
}
