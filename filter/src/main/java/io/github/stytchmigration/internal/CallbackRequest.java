package io.github.stytchmigration.internal;

import java.util.List;

/**
 * A callback request reduced to what the logic needs: the method and every value of
 * {@code stytch_token_type} and {@code token}, exactly as the container parsed them (so repeats are
 * visible), the PKCE verifier the app kept for this flow, and who the HttpSession is logged in as.
 */
public final class CallbackRequest {
    private final String method;
    private final List<String> tokenTypes;
    private final List<String> tokens;
    private final String codeVerifier;
    private final String currentUserId;
    private final String currentStytchSessionToken;

    public CallbackRequest(String method, List<String> tokenTypes, List<String> tokens, String codeVerifier) {
        this(method, tokenTypes, tokens, codeVerifier, null, null);
    }

    /**
     * @param codeVerifier              the PKCE verifier kept for this request's token type, or null
     * @param currentUserId             the internal user id the HttpSession is logged in as, or null
     * @param currentStytchSessionToken the Stytch session the filter stored at that login, or null
     */
    public CallbackRequest(String method, List<String> tokenTypes, List<String> tokens, String codeVerifier,
                           String currentUserId, String currentStytchSessionToken) {
        this.method = method;
        this.tokenTypes = tokenTypes == null ? List.of() : List.copyOf(tokenTypes);
        this.tokens = tokens == null ? List.of() : List.copyOf(tokens);
        this.codeVerifier = codeVerifier;
        this.currentUserId = currentUserId;
        this.currentStytchSessionToken = currentStytchSessionToken;
    }

    public String method() {
        return method;
    }

    public List<String> tokenTypes() {
        return tokenTypes;
    }

    public List<String> tokens() {
        return tokens;
    }

    /** Null when the app started the flow without PKCE. */
    public String codeVerifier() {
        return codeVerifier;
    }

    /** The internal user id the HttpSession is already logged in as; null when nobody is. */
    public String currentUserId() {
        return currentUserId;
    }

    /** The Stytch session token the HttpSession holds from an earlier login; null when none. Never log it. */
    public String currentStytchSessionToken() {
        return currentStytchSessionToken;
    }

    @Override
    public String toString() {
        return "CallbackRequest[" + method + ", types=" + tokenTypes.size() + ", tokens=" + tokens.size() + "]";
    }
}
