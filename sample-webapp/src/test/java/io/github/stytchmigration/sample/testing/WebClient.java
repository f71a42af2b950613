package io.github.stytchmigration.sample.testing;

import io.github.stytchmigration.emulator.OutboxMessage;
import io.github.stytchmigration.emulator.StytchEmulator;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A browser stand-in: one cookie jar, no automatic redirects (tests look at each 303), absolute
 * URLs or paths relative to the app.
 */
public final class WebClient {
    private final String appBase; // http://127.0.0.1:PORT, no trailing slash
    private final HttpClient http;

    public WebClient(String appBase) {
        this.appBase = appBase.endsWith("/") ? appBase.substring(0, appBase.length() - 1) : appBase;
        this.http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public String appBase() {
        return appBase;
    }

    public HttpResponse<String> get(String pathOrUrl) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathOrUrl)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String pathOrUrl, Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(uri(pathOrUrl)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GETs the Location of a redirect (resolved against the request's URL). */
    public HttpResponse<String> follow(HttpResponse<String> redirect) throws IOException, InterruptedException {
        String location = redirect.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("no Location in " + redirect.statusCode() + " " + redirect.uri()));
        return get(redirect.uri().resolve(location).toString());
    }

    /** GET a page with a form, then POST it with its CSRF token plus {@code fields}. */
    public HttpResponse<String> submit(String formPage, String action, Map<String, String> fields)
            throws IOException, InterruptedException {
        HttpResponse<String> page = get(formPage);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("csrf", Pages.csrf(page.body()));
        form.putAll(fields);
        return post(action, form);
    }

    /**
     * Posts the login form for {@code email}, reads the magic link from the emulator's outbox and
     * opens it with this cookie jar. Returns the callback's response (a 303 when it worked).
     */
    public HttpResponse<String> magicLinkLogin(StytchEmulator emulator, String email) throws IOException, InterruptedException {
        int before = outbox(emulator, email).size();
        askForLink(email);
        List<OutboxMessage> messages = outbox(emulator, email);
        if (messages.size() != before + 1) {
            throw new AssertionError("expected one new magic link for " + email + ", outbox: " + messages);
        }
        return get(messages.get(messages.size() - 1).url());
    }

    /**
     * Posts the login form for {@code email} and follows its 303 (post-redirect-get) to "Check your email";
     * returns the magic link the emulator's outbox got.
     */
    public String askForLink(StytchEmulator emulator, String email) throws IOException, InterruptedException {
        int before = outbox(emulator, email).size();
        askForLink(email);
        List<OutboxMessage> messages = outbox(emulator, email);
        if (messages.size() != before + 1) {
            throw new AssertionError("expected one new magic link for " + email + ", outbox: " + messages);
        }
        return messages.get(messages.size() - 1).url();
    }

    private void askForLink(String email) throws IOException, InterruptedException {
        HttpResponse<String> sent = submit("/login", "/login", Map.of("email", email));
        if (sent.statusCode() != 303 || !"/login?sent=1".equals(sent.headers().firstValue("Location").orElse(null))) {
            throw new AssertionError("login form answered " + sent.statusCode() + " " + sent.headers().map() + ": " + sent.body());
        }
        HttpResponse<String> page = follow(sent);
        if (page.statusCode() != 200 || !page.body().contains("Check your email")) {
            throw new AssertionError("after the login form: " + page.statusCode() + ": " + page.body());
        }
    }

    /** Logs in and follows the 303 from /authenticate; returns that page. */
    public HttpResponse<String> magicLinkLoginAndFollow(StytchEmulator emulator, String email)
            throws IOException, InterruptedException {
        HttpResponse<String> callback = magicLinkLogin(emulator, email);
        if (callback.statusCode() != 303) {
            throw new AssertionError("callback answered " + callback.statusCode() + " " + callback.headers().map());
        }
        return follow(callback);
    }

    public static List<OutboxMessage> outbox(StytchEmulator emulator, String email) {
        List<OutboxMessage> messages = emulator.outbox(email);
        return messages.isEmpty() ? emulator.outbox(email.toLowerCase(Locale.ROOT)) : messages;
    }

    private URI uri(String pathOrUrl) {
        return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : appBase + pathOrUrl);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
