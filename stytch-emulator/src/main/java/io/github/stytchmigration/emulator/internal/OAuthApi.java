package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * OAuth: the browser start page (an emulated consent screen instead of Google), the consent
 * form post that redirects back with a token, one-time tokens for tests, and authenticate.
 */
final class OAuthApi {

    static final String CONSENT_PATH = "/emulator/oauth/consent";
    private static final int TOKEN_MINUTES = 10;

    /** Provider → the SDK's factor key stem and the provider_type Stytch reports. */
    private static final Map<String, String[]> PROVIDERS = Map.ofEntries(
            Map.entry("google", new String[] {"google", "Google"}),
            Map.entry("microsoft", new String[] {"microsoft", "Microsoft"}),
            Map.entry("apple", new String[] {"apple", "Apple"}),
            Map.entry("github", new String[] {"github", "GitHub"}),
            Map.entry("facebook", new String[] {"facebook", "Facebook"}),
            Map.entry("amazon", new String[] {"amazon", "Amazon"}),
            Map.entry("bitbucket", new String[] {"bitbucket", "Bitbucket"}),
            Map.entry("coinbase", new String[] {"coinbase", "Coinbase"}),
            Map.entry("discord", new String[] {"discord", "Discord"}),
            Map.entry("figma", new String[] {"figma", "Figma"}),
            Map.entry("gitlab", new String[] {"git_lab", "GitLab"}),
            Map.entry("instagram", new String[] {"instagram", "Instagram"}),
            Map.entry("linkedin", new String[] {"linked_in", "LinkedIn"}),
            Map.entry("salesforce", new String[] {"salesforce", "Salesforce"}),
            Map.entry("shopify", new String[] {"shopify", "Shopify"}),
            Map.entry("slack", new String[] {"slack", "Slack"}),
            Map.entry("snapchat", new String[] {"snapchat", "Snapchat"}),
            Map.entry("spotify", new String[] {"spotify", "Spotify"}),
            Map.entry("steam", new String[] {"steam", "Steam"}),
            Map.entry("tiktok", new String[] {"tik_tok", "TikTok"}),
            Map.entry("twitch", new String[] {"twitch", "Twitch"}),
            Map.entry("twitter", new String[] {"twitter", "Twitter"}),
            Map.entry("yahoo", new String[] {"yahoo", "Yahoo"}),
            Map.entry("hubspot", new String[] {"hubspot", "HubSpot"}));

    private final State state;
    private final SessionIssuer issuer;

    OAuthApi(State state, SessionIssuer issuer) {
        this.state = state;
        this.issuer = issuer;
    }

    /** GET /v1/public/oauth/{provider}/start: the consent page a person fills in. */
    Reply start(Call call) {
        String provider = provider(call.param(0));
        if (call.queryValue("public_token") == null) {
            throw new ApiException(400, "invalid_public_token", "public_token is required.");
        }
        String login = Urls.redirectUrl(call.queryValue("login_redirect_url"), "login_redirect_url");
        String signup = Urls.redirectUrl(call.queryValue("signup_redirect_url"), "signup_redirect_url");
        String challenge = call.queryValue("code_challenge");
        String name = PROVIDERS.get(provider)[1];
        String body = "<main><h1>Sign in with " + Html.escape(name) + " (Stytch emulator)</h1>\n"
                + "<p>This page stands in for " + Html.escape(name) + ". Type the account's email address;"
                + " the emulator creates the OAuth token and sends you back to the app.</p>\n"
                + "<form method=\"post\" action=\"" + CONSENT_PATH + "\">\n"
                + hidden("provider", provider) + hidden("login_redirect_url", login)
                + hidden("signup_redirect_url", signup) + hidden("code_challenge", challenge)
                + "<label for=\"email\">Email address</label>"
                + "<input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"email\" autofocus>\n"
                + "<label><input name=\"email_verified\" type=\"checkbox\" value=\"true\" checked>"
                + " Email verified by " + Html.escape(name) + "</label>\n"
                + "<button type=\"submit\">Continue</button>\n</form></main>";
        return Reply.html(200, Html.page("Sign in with " + name, body));
    }

    /** POST /emulator/oauth/consent: mints a token and redirects back like Stytch does. */
    Reply consent(Call call) {
        String provider = provider(Json.requiredText(call.body(), "provider"));
        String email = MagicLinksApi.email(Json.requiredText(call.body(), "email"));
        String verified = Json.text(call.body(), "email_verified");
        boolean existed = state.userByEmail(email).isPresent();
        String token = mint(call, provider, email, verified != null && !"false".equals(verified),
                Json.text(call.body(), "code_challenge"));
        String login = Urls.redirectUrl(Json.text(call.body(), "login_redirect_url"), "login_redirect_url");
        String signup = Urls.redirectUrl(Json.text(call.body(), "signup_redirect_url"), "signup_redirect_url");
        return Reply.redirect(Urls.withToken(existed ? login : signup, "oauth", token));
    }

    /** A one-time OAuth token as if the user had just come back from the provider. Call inside tx. */
    String mint(Call call, String rawProvider, String rawEmail, boolean emailVerified, String challenge) {
        String provider = provider(rawProvider);
        String email = MagicLinksApi.email(rawEmail);
        Model.User user = state.userByEmail(email).orElse(null);
        if (user == null) {
            user = state.newUser("active");
            state.addEmail(user, email, emailVerified);
        } else if (emailVerified) {
            user.email(email).verified = true;
        }
        Model.Provider registration = registration(user, provider);
        String token = Ids.token();
        state.oauthTokens.put(token, new Model.OAuthToken(token, user.userId, registration,
                user.email(email).emailId, call.now().plus(Duration.ofMinutes(TOKEN_MINUTES)), challenge));
        return token;
    }

    Reply authenticate(Call call) {
        issuer.validate(call);
        String token = Json.requiredText(call.body(), "token");
        String verifier = Json.text(call.body(), "code_verifier");
        if (Sandbox.OAUTH_OK.equals(token)) {
            Model.User user = Sandbox.user(state);
            Model.Provider registration = registration(user, "google");
            Model.Email email = user.email(Sandbox.EMAIL);
            return answer(call, user, registration, issuer.issue(call, user, factor(call, registration, email.emailId)));
        }
        Model.OAuthToken stored = state.oauthTokens.get(token);
        if (stored == null || stored.used || !stored.expiresAt.isAfter(call.now())) {
            throw new ApiException(400, "oauth_token_not_found", "OAuth token could not be found.");
        }
        Pkce.check(stored.codeChallenge, verifier);
        Model.User user = state.users.get(stored.userId);
        if (user == null) {
            throw new ApiException(400, "oauth_token_not_found", "OAuth token could not be found.");
        }
        SessionIssuer.Issued issued = issuer.issue(call, user, factor(call, stored.provider, stored.emailId));
        stored.used = true;
        user.status = "active";
        return answer(call, user, stored.provider, issued);
    }

    private static Reply answer(Call call, Model.User user, Model.Provider registration, SessionIssuer.Issued issued) {
        ObjectNode answer = Views.ok(call.requestId())
                .put("user_id", user.userId)
                .put("provider_subject", registration.providerSubject())
                .put("provider_type", registration.providerType())
                .put("reset_sessions", false)
                .put("oauth_user_registration_id", registration.registrationId());
        ObjectNode values = answer.putObject("provider_values");
        values.put("access_token", "").put("refresh_token", "").put("id_token", "");
        values.putArray("scopes").add("openid").add("email").add("profile");
        values.putNull("expires_at");
        answer.set("user", Views.user(user));
        SessionIssuer.write(answer, issued, "user_session");
        answer.putNull("user_device");
        return Reply.json(answer);
    }

    private Model.Provider registration(Model.User user, String provider) {
        for (Model.Provider p : user.providers) {
            if (p.provider().equals(provider)) {
                return p;
            }
        }
        Model.Provider p = new Model.Provider(provider, PROVIDERS.get(provider)[1], Ids.digits(21),
                state.ids().id("oauth-user-registration"));
        user.providers.add(p);
        return p;
    }

    private static Model.Factor factor(Call call, Model.Provider p, String emailId) {
        return new Model.Factor("oauth", "oauth_" + p.provider(), call.now(), PROVIDERS.get(p.provider())[0]
                + "_oauth_factor", Views.detail("id", p.registrationId(), "provider_subject", p.providerSubject(),
                "email_id", emailId));
    }

    static String provider(String raw) {
        String provider = raw == null ? "" : raw.toLowerCase(Locale.ROOT);
        if (!PROVIDERS.containsKey(provider)) {
            throw new ApiException(400, "invalid_oauth_provider", "Unknown OAuth provider.");
        }
        return provider;
    }

    private static String hidden(String name, String value) {
        return value == null ? "" : "<input type=\"hidden\" name=\"" + name + "\" value=\"" + Html.escape(value) + "\">\n";
    }
}
