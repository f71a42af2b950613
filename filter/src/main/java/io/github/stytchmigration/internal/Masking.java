package io.github.stytchmigration.internal;

/** Masks personal data for logs: {@code alice@example.com} becomes {@code a***@example.com}. */
public final class Masking {
    private Masking() {
    }

    /** Masks an email (keeps the first character and the domain) or a phone number (keeps the last two digits). */
    public static String maskIdentifier(String value) {
        if (value == null || value.isEmpty()) {
            return "(none)";
        }
        int at = value.lastIndexOf('@');
        if (at > 0) {
            return value.charAt(0) + "***" + value.substring(at);
        }
        if (value.length() <= 2) {
            return "***";
        }
        return "***" + value.substring(value.length() - 2);
    }
}
