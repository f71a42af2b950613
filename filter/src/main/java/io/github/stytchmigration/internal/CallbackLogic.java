package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.internal.MigrationException.StytchUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The callback, free of servlets: validate the request, offer the confirmation page, authenticate
 * with Stytch, then hand the login to {@link Logins} (bulkhead, link-or-create, outcome). Never throws;
 * every failure becomes a {@link CallbackResult} with its {@link ErrorCode}.
 *
 * <p>Logging: rejected requests and tokens at DEBUG (the client's fault), every outcome once at INFO
 * (ids only, email masked), what an operator must act on at WARN, internal errors at ERROR with an
 * incident id.
 */
public final class CallbackLogic {
    /** Stytch tokens are 44 characters; anything far longer is not a token. */
    public static final int MAX_TOKEN_LENGTH = 512;
    /** PKCE verifiers are 43..128 characters (RFC 7636). */
    public static final int MAX_CODE_VERIFIER_LENGTH = 128;
    // base64 / base64url alphabets plus '.', '~': every token Stytch issues fits; control
    // characters, quotes, '<', ';' and spaces never reach Stytch or a log.
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_\\-=+/.~]{1," + MAX_TOKEN_LENGTH + "}");
    private static final Pattern CODE_VERIFIER = Pattern.compile("[A-Za-z0-9_\\-.~]{1," + MAX_CODE_VERIFIER_LENGTH + "}");

    private static final Logger LOG = LoggerFactory.getLogger(CallbackLogic.class);

    private final Set<String> allowedTokenTypes;
    private final boolean confirmPage;
    private final StytchAuthenticator stytch;
    private final Logins logins;
    private final MigrationMetrics metrics;

    public CallbackLogic(MigrationConfig config, StytchAuthenticator stytch, UserStore store) {
        this(config, stytch, new Logins(config, stytch, store));
    }

    /** With its own {@link Logins} counting into {@code metrics}. */
    public CallbackLogic(MigrationConfig config, StytchAuthenticator stytch, UserStore store, MigrationMetrics metrics) {
        this(config, stytch, new Logins(config, stytch, store, metrics));
    }

    /** Shares {@code logins} (and its bulkhead) with the other ways in. */
    public CallbackLogic(MigrationConfig config, StytchAuthenticator stytch, Logins logins) {
        this.allowedTokenTypes = Set.copyOf(config.tokenTypes());
        this.confirmPage = config.confirmPage();
        this.stytch = stytch;
        this.logins = logins;
        this.metrics = logins.metrics();
    }

    /** Whether {@code token} has the shape of a Stytch token (length and alphabet); says nothing of its validity. */
    public static boolean looksLikeToken(String token) {
        return token != null && TOKEN.matcher(token).matches();
    }

    // The reason goes to the DEBUG log only: it describes the shape, never the value.
    private String problemWith(CallbackRequest request) {
        if (!"GET".equals(request.method()) && !"POST".equals(request.method())) {
            return "method not allowed";
        }
        List<String> types = request.tokenTypes();
        if (types.isEmpty()) {
            return "stytch_token_type missing";
        }
        if (types.size() > 1) {
            return "stytch_token_type repeated";
        }
        if (!allowedTokenTypes.contains(types.get(0))) {
            return "stytch_token_type not allowed";
        }
        List<String> tokens = request.tokens();
        if (tokens.isEmpty()) {
            return "token missing";
        }
        if (tokens.size() > 1) {
            return "token repeated";
        }
        String token = tokens.get(0);
        if (token == null || token.isBlank()) {
            return "token blank";
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return "token oversized (" + token.length() + " chars)";
        }
        if (!TOKEN.matcher(token).matches()) {
            return "token has characters outside the token alphabet";
        }
        String verifier = request.codeVerifier();
        if (verifier != null && !CODE_VERIFIER.matcher(verifier).matches()) {
            return "code verifier malformed";
        }
        return null;
    }

    /** Validates, then offers the confirmation page or authenticates, links or creates. Never throws. */
    public CallbackResult handle(CallbackRequest request) {
        String problem = problemWith(request);
        if (problem != null) {
            LOG.debug("Rejected a callback: {}", problem);
            return logins.fail(ErrorCode.INVALID_REQUEST, -1, null, false);
        }
        if (confirmPage && "GET".equals(request.method())) {
            // link scanners follow GETs: only the page's POST spends the one-time token
            return CallbackResult.confirm();
        }
        if (!logins.enter()) {
            return logins.busy();
        }
        try {
            return login(request);
        } finally {
            logins.exit();
        }
    }

    private CallbackResult login(CallbackRequest request) {
        String tokenType = request.tokenTypes().get(0);
        String token = request.tokens().get(0);
        StytchLogin login;
        long started = System.nanoTime();
        try {
            login = stytch.authenticate(tokenType, token, request.codeVerifier());
        } catch (MigrationException e) {
            boolean spent = e instanceof StytchUnavailableException && ((StytchUnavailableException) e).mayHaveSpentToken();
            return logins.failed(e, "Stytch authentication (" + tokenType + ")", spent);
        } catch (RuntimeException e) {
            return logins.internalError(e, "Stytch authentication (" + tokenType + ")", true);
        } finally {
            metrics.stytchCall(System.nanoTime() - started);
        }
        return logins.link(login, request.currentUserId(), request.currentStytchSessionToken(), tokenType, true);
    }
}
