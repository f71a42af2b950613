package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The session part shared by every authenticate endpoint: validates the session arguments,
 * creates, extends or skips the session, and writes {@code session_token}, {@code session_jwt}
 * and the session object into an answer.
 */
final class SessionIssuer {

    static final int MIN_DURATION = 5;
    static final int MAX_DURATION = 527040;
    private static final Set<String> RESERVED_CLAIMS = Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti");

    /** The outcome; {@code session} is null (and the tokens "") when no session was asked for. */
    record Issued(Model.Session session, String token, String jwt) {
    }

    private final State state;
    private final Jwts jwts;

    SessionIssuer(State state, Jwts jwts) {
        this.state = state;
        this.jwts = jwts;
    }

    /** Checks the session arguments; call before consuming a one-time token. */
    void validate(Call call) {
        Integer duration = Json.integer(call.body(), "session_duration_minutes");
        if (duration != null && (duration < MIN_DURATION || duration > MAX_DURATION)) {
            throw new ApiException(400, "invalid_session_duration",
                    "session_duration_minutes must be between 5 and 527040.");
        }
        if (Json.text(call.body(), "session_token") != null && Json.text(call.body(), "session_jwt") != null) {
            throw new ApiException(400, "too_many_session_arguments",
                    "Send only one of session_token and session_jwt.");
        }
    }

    /** The live session named by session_token / session_jwt in the body, or null when none is named. */
    Model.Session namedSession(Call call) {
        String token = Json.text(call.body(), "session_token");
        String jwt = Json.text(call.body(), "session_jwt");
        if (token != null) {
            return state.liveSessionByToken(token).orElseThrow(SessionIssuer::sessionNotFound);
        }
        if (jwt != null) {
            return state.liveSessionById(jwts.sessionIdOf(jwt)).orElseThrow(SessionIssuer::sessionNotFound);
        }
        return null;
    }

    /** Adds {@code factor} to the named session of this user, or starts a session when a duration is given. */
    Issued issue(Call call, Model.User user, Model.Factor factor) {
        validate(call);
        Integer duration = Json.integer(call.body(), "session_duration_minutes");
        Model.Session session = namedSession(call);
        if (session != null && !session.userId.equals(user.userId)) {
            session = null; // Stytch ignores a session of another user
        }
        if (session == null && duration == null) {
            return new Issued(null, "", "");
        }
        if (session == null) {
            session = newSession(user, call.now(), duration);
        } else if (duration != null) {
            session.expiresAt = call.now().plus(Duration.ofMinutes(duration));
        }
        session.lastAccessedAt = call.now();
        if (factor != null) {
            session.factors.removeIf(f -> f.type().equals(factor.type())
                    && f.deliveryMethod().equals(factor.deliveryMethod()));
            session.factors.add(factor);
        }
        mergeClaims(call, session);
        return new Issued(session, session.token, jwts.sign(session, call.now().getEpochSecond()));
    }

    /** Starts and stores a session of {@code user}, {@code minutes} long, without factors. Call inside tx. */
    Model.Session newSession(Model.User user, Instant now, int minutes) {
        Model.Session session = new Model.Session(state.ids().id("session"), user.userId, Ids.token(), now,
                now.plus(Duration.ofMinutes(minutes)));
        state.sessions.put(session.sessionId, session);
        return session;
    }

    /** Authenticates an existing session (POST /v1/sessions/authenticate). */
    Issued refresh(Call call) {
        validate(call);
        Model.Session session = namedSession(call);
        if (session == null) {
            throw new ApiException(400, "no_session_arguments", "Send one of session_token and session_jwt.");
        }
        Integer duration = Json.integer(call.body(), "session_duration_minutes");
        if (duration != null) {
            session.expiresAt = call.now().plus(Duration.ofMinutes(duration));
        }
        session.lastAccessedAt = call.now();
        mergeClaims(call, session);
        return new Issued(session, session.token, jwts.sign(session, call.now().getEpochSecond()));
    }

    private static void mergeClaims(Call call, Model.Session session) {
        Map<String, Object> claims = Json.map(call.body(), "session_custom_claims");
        if (claims != null) {
            claims.forEach((k, v) -> {
                if (RESERVED_CLAIMS.contains(k) || k.startsWith("https://stytch.com/")) {
                    return;
                }
                if (v == null) {
                    session.customClaims.remove(k);
                } else {
                    session.customClaims.put(k, v);
                }
            });
        }
    }

    /** Writes session_token, session_jwt and the session (under {@code sessionField}) into {@code answer}. */
    static ObjectNode write(ObjectNode answer, Issued issued, String sessionField) {
        answer.put("session_token", issued.token());
        answer.put("session_jwt", issued.jwt());
        if (issued.session() == null) {
            answer.putNull(sessionField);
        } else {
            answer.set(sessionField, Views.session(issued.session()));
        }
        return answer;
    }

    static ApiException sessionNotFound() {
        return new ApiException(404, "session_not_found", "Session could not be found.");
    }
}
