package io.github.stytchmigration.internal;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}}, {@code ${sys:name}} and {@code ${env:NAME:-fallback}} inside an
 * init-param value. A placeholder may sit inside other text ({@code jdbc:postgresql://${env:DB_HOST}/app}),
 * and a default may itself be a placeholder ({@code ${env:STYTCH_SECRET:-${sys:stytch.secret}}}).
 * Resolved values are not resolved again.
 */
public final class Placeholders {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(env|sys):([A-Za-z0-9_.\\-]+)(?::-([^}$]*))?}");
    private static final int MAX_NESTING = 8;
    private static final char UNSET_START = '\uE003';
    private static final char UNSET_END = '\uE004';

    private final UnaryOperator<String> environment;
    private final UnaryOperator<String> systemProperties;

    public Placeholders(UnaryOperator<String> environment, UnaryOperator<String> systemProperties) {
        this.environment = environment;
        this.systemProperties = systemProperties;
    }

    /** Reads the process environment and the JVM's system properties. */
    public static Placeholders fromProcess() {
        return new Placeholders(System::getenv, System::getProperty);
    }

    /**
     * Replaces every placeholder in {@code value}. An unset variable without a default is an error
     * naming the param and the variable (the variable's name is not a secret; its value never appears).
     *
     * @throws IllegalArgumentException naming {@code param}
     */
    public String resolve(String param, String value) {
        if (value == null || value.indexOf("${") < 0) {
            return value;
        }
        String text = substitute(param, value);
        int unset = text.indexOf(UNSET_START);
        if (unset >= 0) {
            String reference = text.substring(unset + 1, text.indexOf(UNSET_END, unset));
            throw new IllegalArgumentException(param + " refers to ${" + reference
                    + "}, which is not set (give a default with ${" + reference + ":-value})");
        }
        return unshield(text);
    }

    /**
     * Like {@link #resolve}, for optional settings: a value that refers to an unset variable without a
     * default is null (the setting is left out) instead of an error. Malformed placeholders still fail.
     */
    public String resolveOptional(String param, String value) {
        if (value == null || value.indexOf("${") < 0) {
            return value;
        }
        String text = substitute(param, value);
        return text.indexOf(UNSET_START) >= 0 ? null : unshield(text);
    }

    // Every placeholder replaced; unset ones marked between UNSET_START and UNSET_END; resolved values shielded.
    private String substitute(String param, String value) {
        // Innermost first: a default holding a placeholder has no '$' left once its inner one is
        // resolved. Resolved values are shielded by markers so that they are never resolved again.
        String text = value;
        for (int depth = 0; depth < MAX_NESTING && text.contains("${"); depth++) {
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder out = new StringBuilder();
            int last = 0;
            boolean found = false;
            while (m.find()) {
                found = true;
                out.append(text, last, m.start());
                out.append(shield(lookup(param, m.group(1), m.group(2), m.group(3))));
                last = m.end();
            }
            if (!found) {
                break;
            }
            out.append(text, last, text.length());
            text = out.toString();
        }
        if (text.contains("${")) {
            throw new IllegalArgumentException(param + " has a malformed placeholder; use ${env:NAME}, ${sys:name} or ${env:NAME:-default}");
        }
        return text;
    }

    private String lookup(String param, String source, String name, String fallback) {
        String resolved = "env".equals(source) ? environment.apply(name) : systemProperties.apply(name);
        if (resolved == null || resolved.isEmpty()) {
            resolved = fallback == null ? null : unshield(fallback);
        }
        if (resolved == null) {
            // Not an error yet: an unset inner placeholder only matters if its outer one needs the default.
            return UNSET_START + source + ":" + name + UNSET_END;
        }
        return resolved;
    }

    // '$', '{' and '}' of resolved values are swapped for private-use characters until the end.
    private static String shield(String resolved) {
        if (resolved.indexOf(UNSET_START) >= 0) {
            return resolved;
        }
        return resolved.replace('$', '\uE000').replace('{', '\uE001').replace('}', '\uE002');
    }

    private static String unshield(String text) {
        return text.replace('\uE000', '$').replace('\uE001', '{').replace('\uE002', '}');
    }

}
