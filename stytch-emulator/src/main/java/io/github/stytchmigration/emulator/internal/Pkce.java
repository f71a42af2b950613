package io.github.stytchmigration.emulator.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** PKCE with S256 only, as Stytch: challenge = base64url(SHA-256(verifier)) without padding. */
final class Pkce {

    private Pkce() {
    }

    static String challengeOf(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Throws the matching 400 unless the verifier fits the challenge stored with the token. */
    static void check(String storedChallenge, String verifier) {
        if (storedChallenge == null && verifier == null) {
            return;
        }
        if (storedChallenge == null) {
            throw new ApiException(400, "pkce_did_not_expect_code_verifier",
                    "A code_verifier was sent, but the flow was started without a code_challenge.");
        }
        if (verifier == null) {
            throw new ApiException(400, "pkce_expected_code_verifier",
                    "The flow was started with a code_challenge; send the matching code_verifier.");
        }
        if (!MessageDigest.isEqual(challengeOf(verifier).getBytes(StandardCharsets.US_ASCII),
                storedChallenge.getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiException(400, "pkce_mismatch", "The code_verifier does not match the code_challenge.");
        }
    }
}
