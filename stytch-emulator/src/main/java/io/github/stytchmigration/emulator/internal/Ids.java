package io.github.stytchmigration.emulator.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/** Stytch-shaped identifiers and unguessable tokens. */
final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String environment;

    /** @param environment {@code test} or {@code live}, as in {@code user-test-<uuid>} */
    Ids(String environment) {
        this.environment = environment;
    }

    /** {@code test} or {@code live}. */
    String environment() {
        return environment;
    }

    String requestId() {
        return id("request-id");
    }

    String id(String prefix) {
        return prefix + "-" + environment + "-" + UUID.randomUUID();
    }

    /** 32 random bytes, base64url without padding (43 characters), like Stytch's opaque tokens. */
    static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** A random decimal string of the given length, leading zeros allowed. */
    static String digits(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) ('0' + RANDOM.nextInt(10)));
        }
        return sb.toString();
    }
}
