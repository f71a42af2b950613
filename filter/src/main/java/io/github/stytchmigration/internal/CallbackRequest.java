package io.github.stytchmigration.internal;

import java.util.List;

/**
 * A callback request reduced to what the logic needs: the method and every value of
 * {@code stytch_token_type} and {@code token}, exactly as the container parsed them (so repeats are
 * visible), and a PKCE verifier the app may have kept in the session.
 */
public final class CallbackRequest {
    private final String method;
    private final List<String> tokenTypes;
    private final List<String> tokens;
    private final String codeVerifier;

    public CallbackRequest(String method, List<String> tokenTypes, List<String> tokens, String codeVerifier) {
        this.method = method;
        this.tokenTypes = tokenTypes == null ? List.of() : List.copyOf(tokenTypes);
        this.tokens = tokens == null ? List.of() : List.copyOf(tokens);
        this.codeVerifier = codeVerifier;
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

    @Override
    public String toString() {
        return "CallbackRequest[" + method + ", types=" + tokenTypes.size() + ", tokens=" + tokens.size() + "]";
    }
}
