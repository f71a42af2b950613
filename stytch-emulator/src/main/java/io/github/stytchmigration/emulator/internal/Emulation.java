package io.github.stytchmigration.emulator.internal;

import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.emulator.SessionRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.Fields;

/** Wires state, keys and endpoint handlers together; the public {@code StytchEmulator} drives it. */
public final class Emulation {

    private final State state;
    private final MagicLinksApi magicLinks;
    private final OAuthApi oauth;
    private final UsersApi users;
    private final FrontendSessions frontendSessions;
    private final Jwts jwts;
    private final Handler handler;

    /** A new emulation; with a {@code store}, its saved state is loaded and every change is saved to it. */
    public Emulation(String projectId, String secret, Clock clock, Store store) {
        this.state = new State(clock, new Ids(projectId.startsWith("project-live-") ? "live" : "test"), projectId,
                store);
        Jwts jwts = new Jwts(projectId, state.keys());
        this.jwts = jwts;
        SessionIssuer issuer = new SessionIssuer(state, jwts);
        this.frontendSessions = new FrontendSessions(state, issuer, jwts);
        this.magicLinks = new MagicLinksApi(state, issuer);
        this.oauth = new OAuthApi(state, issuer);
        this.users = new UsersApi(state);
        OtpsApi otps = new OtpsApi(state, issuer);
        TotpsApi totps = new TotpsApi(state, issuer);
        SessionsApi sessions = new SessionsApi(state, issuer, jwts, projectId);
        AdminApi admin = new AdminApi(state, oauth, projectId);
        Router router = new Router()
                .api("POST", "/v1/magic_links/email/login_or_create", magicLinks::loginOrCreate)
                .api("POST", "/v1/magic_links/email/send", magicLinks::send)
                .api("POST", "/v1/magic_links", magicLinks::embeddable)
                .api("POST", "/v1/magic_links/authenticate", magicLinks::authenticate)
                .open("GET", "/v1/public/oauth/([^/]+)/start", oauth::start)
                .api("POST", "/v1/oauth/authenticate", oauth::authenticate)
                .api("POST", "/v1/otps/email/login_or_create", otps::emailLoginOrCreate)
                .api("POST", "/v1/otps/sms/login_or_create", otps::smsLoginOrCreate)
                .api("POST", "/v1/otps/authenticate", otps::authenticate)
                .api("POST", "/v1/sessions/authenticate", sessions::authenticate)
                .api("POST", "/v1/sessions/revoke", sessions::revoke)
                .api("GET", "/v1/sessions", sessions::list)
                .openUnlocked("GET", "/v1/sessions/jwks/([^/]+)", sessions::jwks)
                .api("POST", "/v1/totps", totps::create)
                .api("POST", "/v1/totps/authenticate", totps::authenticate)
                .api("POST", "/v1/users", users::create)
                .api("POST", "/v1/users/search", users::search)
                .api("GET", "/v1/users/(?!search$)(.+)", users::get)
                .api("PUT", "/v1/users/(?!search$)(.+)", users::update)
                .api("DELETE", "/v1/users/(.+)/external_id", users::deleteExternalId)
                .api("DELETE", "/v1/users/(?!search$)(.+)", users::delete)
                .open("GET", "/emulator/?", admin::page)
                .open("GET", "/emulator/outbox", admin::outbox)
                .open("POST", "/emulator/oauth/token", admin::oauthToken)
                .open("POST", OAuthApi.CONSENT_PATH, oauth::consent)
                .open("POST", "/emulator/faults", admin::fault)
                .open("GET", "/emulator/keys", admin::keys)
                .open("POST", "/emulator/keys/rotate", admin::rotateKey)
                .open("POST", "/emulator/keys/drop_old", admin::dropOldKeys)
                .open("POST", "/emulator/sessions", frontendSessions::start)
                .open("GET", "/emulator/sessions", frontendSessions::list)
                .open("GET", "/emulator/sessions/([^/]+)", frontendSessions::get)
                .open("POST", "/emulator/sessions/([^/]+)/jwt", frontendSessions::jwt)
                .open("POST", "/emulator/sessions/([^/]+)/revoke", frontendSessions::revoke)
                .open("POST", "/emulator/sessions/([^/]+)/expire", frontendSessions::expire)
                .open("GET", "/emulator/revocations", frontendSessions::revocations)
                .open("GET", "/emulator/users/updates", admin::userUpdates)
                .open("POST", "/emulator/hold", admin::hold)
                .open("GET", "/emulator/hold", admin::holdStatus)
                .open("DELETE", "/emulator/hold", admin::release)
                .open("POST", "/emulator/reset", admin::reset);
        this.handler = new EmulatorHandler(state, router, projectId, secret);
    }

    public Handler handler() {
        return handler;
    }

    public State state() {
        return state;
    }

    /** login_or_create for {@code email} without HTTP; returns the new token (null for the sandbox email). */
    public String magicLinkToken(String email) {
        return state.tx(() -> magicLinks.loginOrCreate(javaCall(), email).token());
    }

    public String oauthToken(String provider, String email, boolean emailVerified) {
        return state.tx(() -> oauth.mint(javaCall(), provider, email, emailVerified, null));
    }

    public String createUser(String email, boolean emailVerified, String phone, boolean phoneVerified) {
        return state.tx(() -> users.create(email, emailVerified, phone, phoneVerified, "active", null).userId);
    }

    public String embeddableMagicLinkToken(String userId) {
        return state.tx(() -> magicLinks.embeddableToken(javaCall(), state.user(userId),
                MagicLinksApi.DEFAULT_EMBEDDED_MINUTES));
    }

    /** Makes the signing keys' certificates now, so the first JWKS request need not; no state lock. */
    public void makeCertificates() {
        state.keys().makeCertificates();
    }

    /** A new key signs from now on; returns its kid. */
    public String rotateSigningKey() {
        return state.tx(() -> state.keys().rotate());
    }

    /** Drops all but the signing key from the JWKS; returns the dropped kids. */
    public List<String> dropOldSigningKeys() {
        return state.tx(() -> state.keys().dropOld());
    }

    /** The served kids, oldest first; the last one signs. */
    public List<String> signingKeyIds() {
        return state.tx(() -> state.keys().kids());
    }

    /** A session for a user (by id or external id), or for the user with this email; see {@link FrontendSessions}. */
    public FrontendSession startSession(String userId, String email, int minutes) {
        return state.tx(() -> frontendSessions.start(userId, email, minutes, state.now()));
    }

    /** Signs any JSON payload with the current key; see {@link Jwts#signPayload}. */
    public String signJwtPayload(String payloadJson) {
        return state.tx(() -> jwts.signPayload(payloadJson));
    }

    public String mintSessionJwt(String sessionId, Instant issuedAt, Instant expiresAt) {
        return state.tx(() -> frontendSessions.mintJwt(sessionId, issuedAt, expiresAt));
    }

    public SessionRecord revokeSession(String sessionId) {
        return state.tx(() -> frontendSessions.revoke(sessionId));
    }

    public SessionRecord expireSession(String sessionId) {
        return state.tx(() -> frontendSessions.expire(sessionId, state.now()));
    }

    /** The Stytch user id of this user id or external id, or 404 {@code user_not_found}. */
    public String userId(String idOrExternalId) {
        return state.tx(() -> state.user(idOrExternalId).userId);
    }

    private Call javaCall() {
        return new Call("JAVA", "", List.of(), new Fields(), Json.object(), state.ids().requestId(), state.now());
    }
}
