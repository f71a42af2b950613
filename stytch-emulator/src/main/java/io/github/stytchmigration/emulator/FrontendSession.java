package io.github.stytchmigration.emulator;

/**
 * A Stytch session as a frontend SDK login leaves it in the browser: the values of the
 * {@code stytch_session} and {@code stytch_session_jwt} cookies, and the ids behind them.
 *
 * @param sessionToken the opaque session token ({@code stytch_session})
 * @param sessionJwt   a fresh session JWT, valid five minutes ({@code stytch_session_jwt})
 * @param sessionId    the session id ({@code session-test-...})
 * @param userId       the Stytch user id
 */
public record FrontendSession(String sessionToken, String sessionJwt, String sessionId, String userId) {
}
