package io.github.stytchmigration.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal browser over java.net.http: keeps the session cookie by hand, follows no redirect, speaks
 * HTTP/1.1. One browser is one person; many browsers may share one {@link HttpClient} ({@link #newClient()}).
 * For requests java.net.http refuses to send (raw bytes, broken request lines) use {@link RawHttp}.
 */
public final class Browser {
    private static final Pattern SESSION_COOKIE = Pattern.compile("JSESSIONID=([^;]+)");
    private final HttpClient http;
    private String sessionId;

    /** A browser with a client of its own. */
    public Browser() {
        this(newClient());
    }

    /** A browser sharing {@code http} (and its connections) with others, e.g. many people at once. */
    public Browser(HttpClient http) {
        this.http = http;
    }

    /** HTTP/1.1, no redirects, 5 s to connect. */
    public static HttpClient newClient() {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The session cookie's value as the container last set it (Jetty's may carry a node suffix); null before. */
    public String sessionId() {
        return sessionId;
    }

    /** Sends {@code sessionId} as the session cookie from now on, as a second tab of the same browser would. */
    public Browser withSession(String sessionId) {
        this.sessionId = sessionId;
        return this;
    }

    public HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    public HttpResponse<String> post(String url, String form) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /** GET {@code callbackUrl?stytch_token_type=TYPE&token=TOKEN}, the token URL-encoded. */
    public HttpResponse<String> callback(String callbackUrl, String type, String token) throws IOException, InterruptedException {
        return get(callbackUrl + "?stytch_token_type=" + type + "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    /** Sends {@code request} with the session cookie, at most 30 s, and keeps the session cookie of the answer. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        request.timeout(Duration.ofSeconds(30));
        if (sessionId != null) {
            request.header("Cookie", "JSESSIONID=" + sessionId);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String cookie : response.headers().allValues("Set-Cookie")) {
            Matcher m = SESSION_COOKIE.matcher(cookie);
            if (m.find()) {
                sessionId = m.group(1);
            }
        }
        return response;
    }

    /** The whole {@code Set-Cookie: JSESSIONID=...} header of {@code response}, attributes included. */
    public static Optional<String> sessionCookie(HttpResponse<?> response) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID=")).findFirst();
    }

    /** Reads a {@code key=value} line written by {@link AppServlet}; null when absent. */
    public static String field(HttpResponse<String> response, String key) {
        for (String line : response.body().split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1);
            }
        }
        return null;
    }
}
