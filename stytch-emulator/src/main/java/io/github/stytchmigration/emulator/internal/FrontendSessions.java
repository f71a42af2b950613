package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.emulator.SessionRecord;
import java.time.Instant;
import java.util.List;

/**
 * Emulator-only session controls under {@code /emulator/sessions}: a session as a frontend SDK
 * login leaves it in the browser's cookies, JWTs with a chosen {@code iat}/{@code exp}, revoke,
 * expire, and what happened to each session. The HTTP handlers run inside tx (the router's).
 */
final class FrontendSessions {

    /** The default length of a started session, the filter's default {@code sessionDurationMinutes}. */
    static final int DEFAULT_MINUTES = 60;

    private final State state;
    private final SessionIssuer issuer;
    private final Jwts jwts;

    FrontendSessions(State state, SessionIssuer issuer, Jwts jwts) {
        this.state = state;
        this.issuer = issuer;
        this.jwts = jwts;
    }

    /**
     * Starts a session for the user with this user_id or external_id, or else for the user with
     * this email (created when absent; the email becomes verified, as a login by it proves it).
     * Call inside tx.
     */
    FrontendSession start(String userId, String rawEmail, Integer minutes, Instant now) {
        int duration = minutes == null ? DEFAULT_MINUTES : minutes;
        if (duration < SessionIssuer.MIN_DURATION || duration > SessionIssuer.MAX_DURATION) {
            throw new ApiException(400, "invalid_session_duration",
                    "session_duration_minutes must be between 5 and 527040.");
        }
        if ((userId == null) == (rawEmail == null)) {
            throw ApiException.badRequest("Send exactly one of user_id and email.");
        }
        Model.User user;
        Model.Factor factor;
        if (userId != null) {
            user = state.user(userId);
            factor = factorOf(user, now);
        } else {
            String email = MagicLinksApi.email(rawEmail);
            user = state.userByEmail(email).orElseGet(() -> state.newUser("active"));
            Model.Email address = user.email(email);
            if (address == null) {
                address = state.addEmail(user, email, true);
            }
            address.verified = true;
            user.status = "active";
            factor = emailFactor(address, now);
        }
        Model.Session session = issuer.newSession(user, now, duration);
        if (factor != null) {
            session.factors.add(factor);
        }
        return new FrontendSession(session.token, jwts.sign(session, now.getEpochSecond()), session.sessionId,
                user.userId);
    }

    /** A JWT of this session (live or not) with the given iat (also nbf) and exp. Call inside tx. */
    String mintJwt(String sessionId, Instant issuedAt, Instant expiresAt) {
        return jwts.sign(session(sessionId), issuedAt.getEpochSecond(), expiresAt.getEpochSecond());
    }

    /** Revokes a live session as {@code POST /v1/sessions/revoke} would, logged as via the emulator. Call inside tx. */
    SessionRecord revoke(String sessionId) {
        Model.Session session = state.liveSessionById(sessionId).orElseThrow(SessionIssuer::sessionNotFound);
        state.revoke(session, SessionRecord.VIA_EMULATOR);
        return State.record(session);
    }

    /** Ends a session now, as if its duration had run out. Call inside tx. */
    SessionRecord expire(String sessionId, Instant now) {
        Model.Session session = session(sessionId);
        if (session.expiresAt.isAfter(now)) {
            session.expiresAt = now;
        }
        return State.record(session);
    }

    // ---- HTTP ----

    /** POST /emulator/sessions {"user_id"} or {"email"}, optional "session_duration_minutes". */
    Reply start(Call call) {
        FrontendSession s = start(Json.text(call.body(), "user_id"), Json.text(call.body(), "email"),
                Json.integer(call.body(), "session_duration_minutes"), call.now());
        return Reply.json(Json.object().put("session_token", s.sessionToken()).put("session_jwt", s.sessionJwt())
                .put("session_id", s.sessionId()).put("user_id", s.userId()));
    }

    /** POST /emulator/sessions/{id}/jwt {"iat", "exp"} (epoch seconds) or {"age_seconds"}. */
    Reply jwt(Call call) {
        JsonNode body = call.body();
        Long age = longValue(body, "age_seconds");
        Long iat = longValue(body, "iat");
        Long exp = longValue(body, "exp");
        if (age != null && iat != null) {
            throw ApiException.badRequest("Send age_seconds or iat, not both.");
        }
        long issuedAt = age != null ? call.now().getEpochSecond() - age
                : iat != null ? iat : call.now().getEpochSecond();
        long expiresAt = exp != null ? exp : issuedAt + Jwts.JWT_LIFETIME_SECONDS;
        String jwt = mintJwt(call.param(0), Instant.ofEpochSecond(issuedAt), Instant.ofEpochSecond(expiresAt));
        return Reply.json(Json.object().put("session_jwt", jwt));
    }

    /** POST /emulator/sessions/{id}/revoke. */
    Reply revoke(Call call) {
        return Reply.json(view(revoke(call.param(0)), call.now()));
    }

    /** POST /emulator/sessions/{id}/expire. */
    Reply expire(Call call) {
        return Reply.json(view(expire(call.param(0), call.now()), call.now()));
    }

    /** GET /emulator/sessions/{id}: the session, revoked or expired ones too. */
    Reply get(Call call) {
        SessionRecord record = state.sessionRecord(call.param(0)).orElseThrow(SessionIssuer::sessionNotFound);
        return Reply.json(view(record, call.now()));
    }

    /** GET /emulator/sessions[?user_id=]: all sessions, oldest first. */
    Reply list(Call call) {
        String userId = call.queryValue("user_id");
        String resolved = userId == null ? null : state.user(userId).userId;
        return Reply.json(views("sessions", state.sessionRecords(resolved), call.now()));
    }

    /** GET /emulator/revocations: every revocation, oldest first. */
    Reply revocations(Call call) {
        return Reply.json(views("revocations", state.revocations(), call.now()));
    }

    private Model.Session session(String sessionId) {
        Model.Session session = sessionId == null ? null : state.sessions.get(sessionId);
        if (session == null) {
            throw SessionIssuer.sessionNotFound();
        }
        return session;
    }

    /** The first verified email, else the first verified phone, as the session's factor; null when none. */
    private static Model.Factor factorOf(Model.User user, Instant now) {
        for (Model.Email e : user.emails) {
            if (e.verified) {
                return emailFactor(e, now);
            }
        }
        for (Model.Phone p : user.phones) {
            if (p.verified) {
                return new Model.Factor("otp", "sms", now, "phone_number_factor",
                        Views.detail("phone_id", p.phoneId, "phone_number", p.phoneNumber));
            }
        }
        return null;
    }

    private static Model.Factor emailFactor(Model.Email email, Instant now) {
        return new Model.Factor("magic_link", "email", now, "email_factor",
                Views.detail("email_id", email.emailId, "email_address", email.email));
    }

    private static Long longValue(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw ApiException.badRequest(field + " must be an integer.");
        }
        return node.asLong();
    }

    private static ObjectNode views(String field, List<SessionRecord> records, Instant now) {
        ObjectNode answer = Json.object();
        ArrayNode list = answer.putArray(field);
        records.forEach(r -> list.add(view(r, now)));
        return answer;
    }

    static ObjectNode view(SessionRecord r, Instant now) {
        String status = r.revoked() ? "revoked" : r.expiresAt().isAfter(now) ? "active" : "expired";
        return Json.object().put("session_id", r.sessionId()).put("user_id", r.userId()).put("status", status)
                .put("started_at", Views.time(r.startedAt())).put("expires_at", Views.time(r.expiresAt()))
                .put("revoked_at", Views.time(r.revokedAt())).put("revoked_via", r.revokedVia());
    }
}
