package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The callback, free of servlets: validate the request, authenticate with Stytch, link or create
 * the internal user, and report the outcome. Never throws; every failure becomes a
 * {@link CallbackResult} with its {@link ErrorCode}.
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

    private static final Logger LOG = LoggerFactory.getLogger("io.github.stytchmigration.MigrationFilter");

    private final Set<String> allowedTokenTypes;
    private final StytchAuthenticator stytch;
    private final UserStore store;
    private final MigrationListener listener;

    public CallbackLogic(Set<String> allowedTokenTypes, StytchAuthenticator stytch, UserStore store,
                         MigrationListener listener) {
        this.allowedTokenTypes = Set.copyOf(allowedTokenTypes);
        this.stytch = stytch;
        this.store = store;
        this.listener = listener == null ? MigrationListener.NONE : listener;
    }

    /**
     * Checks the request without calling anyone. Returns the failure to answer, or null when the
     * request may go to Stytch.
     */
    public CallbackResult validate(CallbackRequest request) {
        String problem = problemWith(request);
        if (problem == null) {
            return null;
        }
        LOG.debug("stytch-migration rejected a callback: {}", problem);
        return fail(ErrorCode.INVALID_REQUEST, -1, null);
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

    /** Validates, authenticates, links or creates. Never throws. */
    public CallbackResult handle(CallbackRequest request) {
        CallbackResult invalid = validate(request);
        if (invalid != null) {
            return invalid;
        }
        String tokenType = request.tokenTypes().get(0);
        String token = request.tokens().get(0);
        StytchLogin login;
        try {
            login = stytch.authenticate(tokenType, token, request.codeVerifier());
        } catch (MigrationException e) {
            return failed(e, "Stytch authentication (" + tokenType + ")");
        } catch (RuntimeException e) {
            return internalError(e, "Stytch authentication (" + tokenType + ")");
        }
        StytchIdentity identity = login.identity();
        LinkResult link;
        try {
            link = store.linkOrCreate(identity);
        } catch (MigrationException e) {
            return failed(e, "link-or-create of Stytch user " + identity.stytchUserId());
        } catch (RuntimeException e) {
            return internalError(e, "link-or-create of Stytch user " + identity.stytchUserId());
        }
        MigrationResult result = new MigrationResult(link.outcome(), link.userId(), identity.stytchUserId(),
                login.resetSessions());
        if (link.replacedStytchUserId() != null) {
            LOG.warn("stytch-migration AUDIT relinked userId={} from stytchUserId={} to stytchUserId={} (conflictPolicy=relink)",
                    link.userId(), link.replacedStytchUserId(), identity.stytchUserId());
            notify(() -> listener.onRelinked(link.userId(), link.replacedStytchUserId(), identity.stytchUserId()));
        }
        LOG.info("stytch-migration {} userId={} stytchUserId={} email={} via {}", link.outcome(), link.userId(),
                identity.stytchUserId(), Masking.maskIdentifier(identity.primaryEmail()), tokenType);
        notify(() -> listener.onSuccess(result));
        return CallbackResult.success(result, login);
    }

    private CallbackResult failed(MigrationException e, String task) {
        ErrorCode code = e.errorCode();
        switch (code) {
            case STYTCH_UNAVAILABLE:
            case DATABASE_UNAVAILABLE:
                // the operator must act; the message names the task and upstream ids, never a token
                LOG.warn("stytch-migration {}: {} failed: {}", code.code(), task, e.getMessage());
                return fail(code, e.retryAfterSeconds(), null);
            case INTERNAL_ERROR:
                return internalError(e, task);
            default:
                LOG.info("stytch-migration {}: {}: {}", code.code(), task, e.getMessage());
                return fail(code, e.retryAfterSeconds(), null);
        }
    }

    private CallbackResult internalError(RuntimeException e, String task) {
        String incident = UUID.randomUUID().toString();
        LOG.error("stytch-migration internal_error incident={}: {} failed", incident, task, e);
        return fail(ErrorCode.INTERNAL_ERROR, -1, incident);
    }

    private CallbackResult fail(ErrorCode code, long retryAfterSeconds, String incidentId) {
        notify(() -> listener.onFailure(code, incidentId));
        return CallbackResult.failure(code, retryAfterSeconds, incidentId);
    }

    private static void notify(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            LOG.warn("stytch-migration listener threw; the login goes on", e);
        }
    }
}
