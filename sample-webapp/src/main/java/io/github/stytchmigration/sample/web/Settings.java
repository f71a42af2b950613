package io.github.stytchmigration.sample.web;

import jakarta.servlet.ServletContext;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app's own settings, read from web.xml context-params with the same placeholder syntax as the
 * filter's init-params: {@code ${env:NAME}}, {@code ${sys:name}}, {@code ${env:NAME:-default}}, nested
 * defaults allowed. Empty counts as absent.
 */
record Settings(String projectId, String secret, String apiBaseUrl, String publicToken, String appBaseUrl,
                String devInboxUrl, String dataSourceJndiName) {

    static final String PARAM_PROJECT_ID = "stytchProjectId";
    static final String PARAM_SECRET = "stytchSecret";
    static final String PARAM_API_BASE_URL = "stytchApiBaseUrl";
    static final String PARAM_PUBLIC_TOKEN = "stytchPublicToken";
    static final String PARAM_APP_BASE_URL = "appBaseUrl";
    static final String PARAM_DEV_INBOX_URL = "devInboxUrl";
    static final String PARAM_DATA_SOURCE = "dataSourceJndiName";

    private static final Pattern KEY = Pattern.compile("(env|sys):([A-Za-z0-9_.\\-]+)");

    static Settings from(ServletContext context) {
        UnaryOperator<String> param = name -> blankToNull(resolve(name, context.getInitParameter(name), false));
        String projectId = blankToNull(resolve(PARAM_PROJECT_ID, context.getInitParameter(PARAM_PROJECT_ID), true));
        String secret = blankToNull(resolve(PARAM_SECRET, context.getInitParameter(PARAM_SECRET), true));
        if (projectId == null || secret == null) {
            throw new IllegalStateException("context-params " + PARAM_PROJECT_ID + " and " + PARAM_SECRET + " must be set");
        }
        String dataSource = param.apply(PARAM_DATA_SOURCE);
        return new Settings(projectId, secret, stripSlash(param.apply(PARAM_API_BASE_URL)),
                param.apply(PARAM_PUBLIC_TOKEN), stripSlash(param.apply(PARAM_APP_BASE_URL)),
                param.apply(PARAM_DEV_INBOX_URL), dataSource == null ? "java:comp/env/jdbc/users" : dataSource);
    }

    /** Where the browser starts OAuth: the configured API base, else Stytch's test or live host. */
    String oauthBaseUrl() {
        if (apiBaseUrl != null) {
            return apiBaseUrl;
        }
        return projectId.startsWith("project-test-") ? "https://test.stytch.com" : "https://api.stytch.com";
    }

    @Override
    public String toString() {
        return "Settings[projectId=" + projectId + ", apiBaseUrl=" + apiBaseUrl + ", secret=****]";
    }

    /**
     * Resolves the placeholders of a context-param. An unset variable without a default fails when
     * {@code required}, else makes the whole value null (an optional setting left out).
     */
    static String resolve(String name, String value, boolean required) {
        try {
            return resolve(name, value);
        } catch (Unset e) {
            if (required) {
                throw new IllegalStateException("context-param " + name + " refers to ${" + e.getMessage()
                        + "}, which is not set");
            }
            return null;
        }
    }

    private static final class Unset extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unset(String key) {
            super(key, null, false, false);
        }
    }

    // The default is only looked at when the variable is unset, so an inner placeholder need not be set.
    private static String resolve(String name, String value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            int open = value.indexOf("${", i);
            if (open < 0) {
                out.append(value, i, value.length());
                break;
            }
            out.append(value, i, open);
            int close = matchingBrace(value, open);
            if (close < 0) {
                throw new IllegalStateException("context-param " + name + " has a malformed placeholder");
            }
            out.append(lookup(name, value.substring(open + 2, close)));
            i = close + 1;
        }
        return out.toString();
    }

    private static String lookup(String name, String body) {
        int dash = body.indexOf(":-");
        String key = dash < 0 ? body : body.substring(0, dash);
        Matcher m = KEY.matcher(key);
        if (!m.matches()) {
            throw new IllegalStateException("context-param " + name + " has a malformed placeholder");
        }
        String found = "env".equals(m.group(1)) ? System.getenv(m.group(2)) : System.getProperty(m.group(2));
        if (found != null && !found.isEmpty()) {
            return found;
        }
        if (dash < 0) {
            throw new Unset(key);
        }
        return resolve(name, body.substring(dash + 2));
    }

    private static int matchingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.startsWith("${", i)) {
                depth++;
                i++;
            } else if (s.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String stripSlash(String s) {
        return s != null && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
