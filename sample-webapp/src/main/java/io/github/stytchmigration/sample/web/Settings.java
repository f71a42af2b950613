package io.github.stytchmigration.sample.web;

import io.github.stytchmigration.internal.Placeholders;
import jakarta.servlet.ServletContext;

import java.net.URI;
import java.util.function.UnaryOperator;

/**
 * The app's own settings, read from web.xml context-params with the filter's own placeholder resolver
 * (the same syntax as its init-params): {@code ${env:NAME}}, {@code ${sys:name}},
 * {@code ${env:NAME:-default}}, nested defaults allowed. Empty counts as absent.
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

    private static final Placeholders PLACEHOLDERS = Placeholders.fromProcess();

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

    /**
     * Emulator mode: the launcher set a dev inbox, and the API is not Stytch's own. Dev aids (the current
     * legacy TOTP code) show only then, never against a real Stytch project.
     */
    boolean devMode() {
        if (devInboxUrl == null || apiBaseUrl == null) {
            return false;
        }
        String host = URI.create(apiBaseUrl).getHost();
        return host != null && !host.equals("stytch.com") && !host.endsWith(".stytch.com");
    }

    @Override
    public String toString() {
        return "Settings[projectId=" + projectId + ", apiBaseUrl=" + apiBaseUrl + ", secret=****]";
    }

    /**
     * Resolves the placeholders of a context-param with the filter's own resolver. An unset variable
     * without a default fails when {@code required}, else makes the whole value null (an optional
     * setting left out).
     */
    static String resolve(String name, String value, boolean required) {
        String param = "context-param " + name;
        return required ? PLACEHOLDERS.resolve(param, value) : PLACEHOLDERS.resolveOptional(param, value);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String stripSlash(String s) {
        return s != null && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
