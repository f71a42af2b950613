package io.github.stytchmigration.emulator;

import java.time.Instant;

/**
 * A message the emulator "sent" instead of an email or SMS.
 *
 * @param to        the email address or E.164 phone number
 * @param kind      {@code magic_link} or {@code otp}
 * @param token     the magic-link token, or null for an OTP
 * @param code      the one-time passcode, or null for a magic link
 * @param url       the full magic link ({@code ...stytch_token_type=magic_links&token=...}), or null for an OTP
 * @param createdAt when it was sent
 */
public record OutboxMessage(String to, String kind, String token, String code, String url, Instant createdAt) {

    /** {@code kind} of a magic-link message. */
    public static final String KIND_MAGIC_LINK = "magic_link";
    /** {@code kind} of a one-time passcode message. */
    public static final String KIND_OTP = "otp";
}
