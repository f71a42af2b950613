package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.stytchmigration.emulator.OutboxMessage;
import java.time.Duration;
import java.util.Locale;

/** {@code /v1/magic_links/*}: email login_or_create and send, embeddable links, authenticate. */
final class MagicLinksApi {

    static final int DEFAULT_LOGIN_MINUTES = 60;
    static final int DEFAULT_SIGNUP_MINUTES = 10080;
    static final int DEFAULT_EMBEDDED_MINUTES = 5;

    private final State state;
    private final SessionIssuer issuer;

    MagicLinksApi(State state, SessionIssuer issuer) {
        this.state = state;
        this.issuer = issuer;
    }

    /** What {@code login_or_create} created or found, and the token it sent. */
    record Sent(Model.User user, Model.Email email, boolean created, String token) {
    }

    Reply loginOrCreate(Call call) {
        Sent sent = loginOrCreate(call, Json.requiredText(call.body(), "email"));
        return Reply.json(Views.ok(call.requestId())
                .put("user_id", sent.user().userId)
                .put("email_id", sent.email().emailId)
                .put("user_created", sent.created()));
    }

    /** login_or_create; also the Java API's {@code magicLinkToken}. Call inside tx. */
    Sent loginOrCreate(Call call, String rawEmail) {
        String email = email(rawEmail);
        String loginUrl = Urls.redirectUrl(Json.text(call.body(), "login_magic_link_url"), "login_magic_link_url");
        String signupUrl = Urls.redirectUrl(Json.text(call.body(), "signup_magic_link_url"), "signup_magic_link_url");
        int loginMinutes = minutes(call, "login_expiration_minutes", DEFAULT_LOGIN_MINUTES);
        int signupMinutes = minutes(call, "signup_expiration_minutes", DEFAULT_SIGNUP_MINUTES);
        String challenge = Json.text(call.body(), "code_challenge");
        if (Sandbox.isSandboxEmail(email)) {
            Model.User user = Sandbox.user(state);
            return new Sent(user, user.email(Sandbox.EMAIL), false, null);
        }
        Model.User user = state.userByEmail(email).orElse(null);
        boolean created = user == null;
        if (created) {
            user = state.newUser(Json.bool(call.body(), "create_user_as_pending") ? "pending" : "active");
            state.addEmail(user, email, false);
        }
        boolean signup = created || "pending".equals(user.status);
        Model.Email address = user.email(email);
        String token = mint(call, user, address, signup ? signupUrl : loginUrl,
                signup ? signupMinutes : loginMinutes, challenge);
        return new Sent(user, address, created, token);
    }

    Reply send(Call call) {
        String email = email(Json.requiredText(call.body(), "email"));
        String loginUrl = Urls.redirectUrl(Json.text(call.body(), "login_magic_link_url"), "login_magic_link_url");
        String signupUrl = Urls.redirectUrl(Json.text(call.body(), "signup_magic_link_url"), "signup_magic_link_url");
        int loginMinutes = minutes(call, "login_expiration_minutes", DEFAULT_LOGIN_MINUTES);
        int signupMinutes = minutes(call, "signup_expiration_minutes", DEFAULT_SIGNUP_MINUTES);
        String challenge = Json.text(call.body(), "code_challenge");
        Model.User user = Sandbox.isSandboxEmail(email) ? Sandbox.user(state)
                : state.userByEmail(email).orElseThrow(() ->
                        new ApiException(404, "email_not_found", "Email could not be found."));
        Model.Email address = user.email(email);
        if (!Sandbox.isSandboxEmail(email)) {
            boolean signup = "pending".equals(user.status);
            mint(call, user, address, signup ? signupUrl : loginUrl, signup ? signupMinutes : loginMinutes, challenge);
        }
        return Reply.json(Views.ok(call.requestId()).put("user_id", user.userId).put("email_id", address.emailId));
    }

    /** POST /v1/magic_links: an embeddable token for a user, no email sent. */
    Reply embeddable(Call call) {
        Model.User user = state.user(Json.requiredText(call.body(), "user_id"));
        int minutes = minutes(call, "expiration_minutes", DEFAULT_EMBEDDED_MINUTES);
        return Reply.json(Views.ok(call.requestId())
                .put("user_id", user.userId)
                .put("token", embeddableToken(call, user, minutes)));
    }

    String embeddableToken(Call call, Model.User user, int minutes) {
        String token = Ids.token();
        state.magicTokens.put(token, new Model.MagicToken(token, user.userId, null,
                call.now().plus(Duration.ofMinutes(minutes)), null));
        return token;
    }

    Reply authenticate(Call call) {
        issuer.validate(call);
        String token = Json.requiredText(call.body(), "token");
        String verifier = Json.text(call.body(), "code_verifier");
        if (Sandbox.MAGIC_LINK_UNAUTHORIZED.equals(token)) {
            throw unableToAuth();
        }
        if (Sandbox.MAGIC_LINK_NOT_FOUND.equals(token)) {
            throw notFound();
        }
        Model.User user;
        Model.Factor factor;
        String methodId;
        if (Sandbox.MAGIC_LINK_OK.equals(token)) {
            user = Sandbox.user(state);
            Model.Email email = user.email(Sandbox.EMAIL);
            factor = emailFactor(call, email);
            methodId = email.emailId;
        } else {
            Model.MagicToken stored = state.magicTokens.get(token);
            if (stored == null) {
                throw notFound();
            }
            if (stored.used || !stored.expiresAt.isAfter(call.now())) {
                throw unableToAuth();
            }
            Pkce.check(stored.codeChallenge, verifier);
            user = state.users.get(stored.userId);
            if (user == null) {
                throw notFound();
            }
            Model.Email email = stored.emailId == null ? null : user.emailById(stored.emailId);
            if (email != null) {
                factor = emailFactor(call, email);
                methodId = email.emailId;
            } else {
                methodId = "embedded-" + user.userId;
                factor = new Model.Factor("magic_link", "embedded", call.now(), "embeddable_magic_link_factor",
                        Views.detail("embedded_id", methodId));
            }
            SessionIssuer.Issued issued = issuer.issue(call, user, factor);
            stored.used = true;
            if (email != null) {
                email.verified = true;
            }
            user.status = "active";
            return answer(call, user, methodId, issued);
        }
        return answer(call, user, methodId, issuer.issue(call, user, factor));
    }

    private static Reply answer(Call call, Model.User user, String methodId, SessionIssuer.Issued issued) {
        ObjectNode answer = Views.ok(call.requestId())
                .put("user_id", user.userId)
                .put("method_id", methodId)
                .put("reset_sessions", false);
        answer.set("user", Views.user(user));
        SessionIssuer.write(answer, issued, "session");
        answer.putNull("user_device");
        return Reply.json(answer);
    }

    private String mint(Call call, Model.User user, Model.Email email, String url, int minutes, String challenge) {
        String token = Ids.token();
        state.magicTokens.put(token, new Model.MagicToken(token, user.userId, email.emailId,
                call.now().plus(Duration.ofMinutes(minutes)), challenge));
        state.send(new OutboxMessage(email.email, OutboxMessage.KIND_MAGIC_LINK, token, null,
                Urls.withToken(url, "magic_links", token), call.now()));
        return token;
    }

    static Model.Factor emailFactor(Call call, Model.Email email) {
        return new Model.Factor("magic_link", "email", call.now(), "email_factor",
                Views.detail("email_id", email.emailId, "email_address", email.email));
    }

    static String email(String raw) {
        String email = raw.trim().toLowerCase(Locale.ROOT);
        if (!Sandbox.EMAIL_SHAPE.matcher(email).matches()) {
            throw new ApiException(400, "invalid_email", "Email format is invalid.");
        }
        return email;
    }

    private static int minutes(Call call, String field, int defaultMinutes) {
        Integer minutes = Json.integer(call.body(), field);
        if (minutes == null) {
            return defaultMinutes;
        }
        if (minutes < 5 || minutes > 10080) {
            throw new ApiException(400, "invalid_expiration_minutes", field + " must be between 5 and 10080.");
        }
        return minutes;
    }

    private static ApiException unableToAuth() {
        return new ApiException(401, "unable_to_auth_magic_link",
                "Magic link could not be authenticated because it was either already used or expired.");
    }

    private static ApiException notFound() {
        return new ApiException(404, "magic_link_not_found", "Magic link could not be found.");
    }
}
