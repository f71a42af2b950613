package io.github.stytchmigration.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks personal data and credentials for logs: {@code alice@example.com} becomes {@code a***@example.com};
 * {@code jdbc:mysql://app:hunter2@db/app} becomes {@code jdbc:mysql://app:****@db/app}.
 */
public final class Masking {
    /** What a masked secret shows. */
    public static final String MASK = "****";

    // scheme://user:password@host (also jdbc:mysql://, jdbc:mariadb://, http://): keep the user
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?#;]*):[^/@?#]*@");
    // Oracle thin: jdbc:oracle:thin:user/password@host
    private static final Pattern ORACLE = Pattern.compile("(?i)(jdbc:oracle:[a-z0-9]+:[^/@:]*)/[^@]*@");
    // ?password=..., &sslpassword=..., ;password=... (SQL Server), ;pwd=..., secret, token, key material
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&;:]\\s*[a-z0-9_.-]*(?:password|passwd|pwd|secret|token|credential|sslkey)[a-z0-9_.-]*\\s*=)[^&;]*");

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

    /**
     * Masks every credential a URL may carry: user-info passwords ({@code //user:secret@host}), Oracle's
     * {@code user/secret@host}, and parameters named like a password, secret or token in the query or
     * after {@code ;} (SQL Server). Everything else stays readable, so the log still says where it points.
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String masked = replaceAll(USER_INFO, url, "$1:" + MASK + "@");
        masked = replaceAll(ORACLE, masked, "$1/" + MASK + "@");
        return replaceAll(SECRET_PARAMETER, masked, "$1" + MASK);
    }

    private static String replaceAll(Pattern pattern, String text, String replacement) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.replaceAll(replacement) : text;
    }
}
