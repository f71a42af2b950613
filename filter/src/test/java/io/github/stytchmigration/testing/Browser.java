package io.github.stytchmigration.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal browser over java.net.http: keeps the session cookie (and any other cookie a response sets, or
 * a test puts, such as the Stytch frontend SDK's) by hand, ignoring paths and domains; follows no redirect,
 * speaks HTTP/1.1. One browser is one person; many browsers may share one {@link HttpClient} ({@link #newClient()}).
 * For requests java.net.http refuses to send (raw bytes, broken request lines) use {@link RawHttp}.
 */
public final class Browser {
    private static final Pattern SESSION_COOKIE = Pattern.compile("JSESSIONID=([^;]+)");
    private final HttpClient http;
    private String sessionId;
    private final Map<String, String> cookies = new LinkedHashMap<>();

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

    /** Sends this cookie from now on, as a page's JavaScript would set it; null removes it. */
    public Browser cookie(String name, String value) {
        if (value == null) {
            cookies.remove(name);
        } else {
            cookies.put(name, value);
        }
        return this;
    }

    /** The value of a cookie other than the session cookie, as set by a test or the last response; null when absent. */
    public String cookie(String name) {
        return cookies.get(name);
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
        StringBuilder header = new StringBuilder();
        if (sessionId != null) {
            header.append("JSESSIONID=").append(sessionId);
        }
        cookies.forEach((name, value) -> header.append(header.length() == 0 ? "" : "; ").append(name).append('=').append(value));
        if (header.length() > 0) {
            request.header("Cookie", header.toString());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String cookie : response.headers().allValues("Set-Cookie")) {
            Matcher m = SESSION_COOKIE.matcher(cookie);
            if (m.find()) {
                sessionId = m.group(1);
            } else {
                keep(cookie);
            }
        }
        return response;
    }

    // name=value; attributes: an empty value or Max-Age=0 deletes it
    private void keep(String setCookie) {
        int eq = setCookie.indexOf('=');
        if (eq <= 0) {
            return;
        }
        int end = setCookie.indexOf(';');
        String name = setCookie.substring(0, eq).trim();
        String value = setCookie.substring(eq + 1, end < 0 ? setCookie.length() : end).trim();
        boolean expired = setCookie.toLowerCase(Locale.ROOT).replace(" ", "").contains(";max-age=0");
        cookie(name, value.isEmpty() || expired ? null : value);
    }

    /** Every {@code Set-Cookie} header of {@code response} for the cookie {@code name}, attributes included. */
    public static java.util.List<String> setCookies(HttpResponse<?> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).toList();
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
