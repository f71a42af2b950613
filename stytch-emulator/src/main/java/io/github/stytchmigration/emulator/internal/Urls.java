package io.github.stytchmigration.emulator.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Redirect URL helpers. */
final class Urls {

    /** Stytch test projects' default redirect URL, used when a request names none. */
    static final String DEFAULT_REDIRECT_URL = "http://localhost:3000/authenticate";

    private Urls() {
    }

    /** Appends {@code stytch_token_type=...&token=...}, keeping existing parameters and any fragment. */
    static String withToken(String url, String tokenType, String token) {
        String base = url == null ? DEFAULT_REDIRECT_URL : url;
        String fragment = "";
        int hash = base.indexOf('#');
        if (hash >= 0) {
            fragment = base.substring(hash);
            base = base.substring(0, hash);
        }
        String separator = base.indexOf('?') < 0 ? "?" : (base.endsWith("?") || base.endsWith("&") ? "" : "&");
        return base + separator + "stytch_token_type=" + encode(tokenType) + "&token=" + encode(token) + fragment;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Only absolute http(s) URLs (or app deep links) are accepted as redirect URLs. */
    static String redirectUrl(String value, String field) {
        if (value == null) {
            return null;
        }
        try {
            java.net.URI uri = new java.net.URI(value);
            if (uri.getScheme() != null && uri.isAbsolute()) {
                return value;
            }
        } catch (java.net.URISyntaxException e) {
            // fall through
        }
        throw new ApiException(400, "invalid_" + field, field + " must be an absolute URL.");
    }
}
