package io.github.stytchmigration.internal.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A {@code createUserSql} template parsed once: named parameters ({@code :email}) become positional
 * {@code ?} with a list of names, in order. Text inside single quotes, double quotes, dollar quotes
 * and comments is copied untouched, and {@code ::casts} are not parameters.
 */
public final class NamedParameterSql {
    /** The init-param this template comes from; named in every message. */
    static final String PARAM = "createUserSql";

    /** Parameter names a {@code createUserSql} template may use. */
    public static final Set<String> CREATE_USER_SQL_PARAMETERS =
            Set.of("email", "phone_number", "first_name", "last_name", "stytch_user_id");

    private final String sql;
    private final List<String> parameterNames;
    private final boolean returning;

    private NamedParameterSql(String sql, List<String> parameterNames, boolean returning) {
        this.sql = sql;
        this.parameterNames = List.copyOf(parameterNames);
        this.returning = returning;
    }

    /** The SQL with {@code ?} placeholders. */
    public String sql() {
        return sql;
    }

    /** One name per {@code ?}, in order; a name may repeat. */
    public List<String> parameterNames() {
        return parameterNames;
    }

    /** Whether the statement has a {@code RETURNING} clause (outside quotes and comments). */
    boolean hasReturning() {
        return returning;
    }

    /**
     * Parses the template.
     *
     * @param allowed the known parameter names, without the colon
     * @throws IllegalArgumentException naming {@code createUserSql}: blank, unknown {@code :name},
     *                                  unterminated quote, positional {@code ?}, several statements
     */
    public static NamedParameterSql parse(String template, Set<String> allowed) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException(PARAM + " must not be blank");
        }
        StringBuilder out = new StringBuilder(template.length());
        List<String> names = new ArrayList<>();
        boolean returning = false;
        int n = template.length();
        int i = 0;
        while (i < n) {
            char c = template.charAt(i);
            if (c == '\'' || c == '"') {
                int end = template.indexOf(c, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException(PARAM + " has an unterminated " + (c == '\'' ? "string literal" : "quoted identifier"));
                }
                // '' and "" escapes are two adjacent quoted sections: copying each works
                out.append(template, i, end + 1);
                i = end + 1;
            } else if (c == '-' && i + 1 < n && template.charAt(i + 1) == '-') {
                int end = template.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(template, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && template.charAt(i + 1) == '*') {
                int end = template.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException(PARAM + " has an unterminated /* comment");
                }
                out.append(template, i, end + 2);
                i = end + 2;
            } else if (c == '$' && (i == 0 || !isIdentifierPart(template.charAt(i - 1))) && dollarTagEnd(template, i) > 0) {
                int tagEnd = dollarTagEnd(template, i);
                String tag = template.substring(i, tagEnd);
                int end = template.indexOf(tag, tagEnd);
                if (end < 0) {
                    throw new IllegalArgumentException(PARAM + " has an unterminated dollar-quoted string " + tag);
                }
                out.append(template, i, end + tag.length());
                i = end + tag.length();
            } else if (c == ':' && i + 1 < n && template.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < n && isIdentifierStart(template.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && isIdentifierPart(template.charAt(end))) {
                    end++;
                }
                String name = template.substring(i + 1, end);
                if (!allowed.contains(name)) {
                    throw new IllegalArgumentException(PARAM + " uses unknown parameter [:" + name + "]; known: "
                            + allowed.stream().sorted().map(s -> ":" + s).reduce((a, b) -> a + ", " + b).orElse(""));
                }
                names.add(name);
                out.append('?');
                i = end;
            } else if (c == '?') {
                throw new IllegalArgumentException(PARAM + " must use named parameters such as :email, not '?'");
            } else if (c == ';') {
                if (!template.substring(i + 1).isBlank()) {
                    throw new IllegalArgumentException(PARAM + " must be a single statement");
                }
                i = n; // a trailing semicolon is dropped: drivers append RETURNING after the statement
            } else if (isIdentifierStart(c) && (i == 0 || !isIdentifierPart(template.charAt(i - 1)))) {
                int end = i + 1;
                while (end < n && isIdentifierPart(template.charAt(end))) {
                    end++;
                }
                String word = template.substring(i, end);
                if (word.toLowerCase(Locale.ROOT).equals("returning")) {
                    returning = true;
                }
                out.append(word);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return new NamedParameterSql(out.toString().trim(), names, returning);
    }

    /** End index (exclusive) of a {@code $tag$} opening at {@code start}, or -1. */
    private static int dollarTagEnd(String s, int start) {
        int i = start + 1;
        while (i < s.length() && s.charAt(i) != '$') {
            char c = s.charAt(i);
            if (!(i == start + 1 ? isIdentifierStart(c) : isIdentifierPart(c))) {
                return -1;
            }
            i++;
        }
        return i < s.length() ? i + 1 : -1;
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9') || c == '$';
    }
}
