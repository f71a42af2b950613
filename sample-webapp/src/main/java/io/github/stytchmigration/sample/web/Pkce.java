package io.github.stytchmigration.sample.web;

import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.http.HttpServletRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Base64;

/**
 * PKCE for the magic-link and OAuth flows: the verifier stays in the HttpSession, where
 * MigrationFilter picks it up for the authenticate call; only the S256 challenge leaves the server.
 */
final class Pkce {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Pkce() {
    }

    /**
     * Makes a fresh verifier for one flow, keeps it in the session where MigrationFilter looks for that
     * flow's verifier, and returns its challenge.
     *
     * @param tokenType {@code magic_links} or {@code oauth}: the verifier goes only to callbacks of that type
     */
    static String start(HttpServletRequest request, String tokenType) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String verifier = HexFormat.of().formatHex(bytes); // 64 chars from the unreserved set
        request.getSession(true).setAttribute(MigrationFilter.pkceCodeVerifierAttribute(tokenType), verifier);
        return challenge(verifier);
    }

    /** base64url(SHA-256(verifier)) without padding. */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
