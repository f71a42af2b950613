package io.github.stytchmigration.sample.web;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * The legacy app's TOTP check, RFC 6238 as authenticator apps compute it: HmacSHA1, 30-second steps,
 * 6 digits, secrets in base32. A code of the step before or after also counts, for clock drift.
 */
final class LegacyTotp {
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final SecureRandom RANDOM = new SecureRandom();

    private LegacyTotp() {
    }

    /** A new random 160-bit secret in base32 (what the legacy app gave at enrollment). */
    static String newSecret() {
        byte[] key = new byte[20];
        RANDOM.nextBytes(key);
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : key) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    /** True when {@code code} is the code of {@code now}'s step, or of the step before or after. */
    static boolean matches(String base32Secret, String code, Instant now) {
        if (code == null || !code.matches("[0-9]{6}")) {
            return false;
        }
        long step = now.getEpochSecond() / 30;
        boolean match = false;
        for (long s = step - 1; s <= step + 1; s++) {
            // constant time, and every step is tried, so the timing says nothing about which one matched
            match |= MessageDigest.isEqual(code(base32Secret, s).getBytes(StandardCharsets.US_ASCII),
                    code.getBytes(StandardCharsets.US_ASCII));
        }
        return match;
    }

    /** The code of {@code now}'s step. */
    static String code(String base32Secret, Instant now) {
        return code(base32Secret, now.getEpochSecond() / 30);
    }

    private static String code(String base32Secret, long step) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(base32(base32Secret), "HmacSHA1"));
            byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int offset = h[h.length - 1] & 0x0f;
            int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16)
                    | ((h[offset + 2] & 0xff) << 8) | (h[offset + 3] & 0xff);
            return String.format(Locale.ROOT, "%06d", binary % 1_000_000);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this JDK", e);
        }
    }

    private static byte[] base32(String s) {
        String clean = s.toUpperCase(Locale.ROOT).replaceAll("[\\s=]", "");
        byte[] out = new byte[clean.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < clean.length(); i++) {
            int v = BASE32.indexOf(clean.charAt(i));
            if (v < 0) {
                // never echo the secret, not even one character of it
                throw new IllegalArgumentException("legacy TOTP secret is not base32");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return out;
    }
}
