package io.github.stytchmigration.reliability;

import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.RawHttp;
import io.github.stytchmigration.testing.UsersTable;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hundreds of generated malformed callbacks against the filter in Jetty 12 (real web.xml), sent
 * byte for byte over a raw socket. Each must answer 4xx, never 5xx, with a body free of stack
 * traces, SQL, exception names and the payload itself, without writing to the database and without
 * calling Stytch. Requests the container refuses before the filter runs (bad request line, 414, 431)
 * may answer any 4xx; requests that are valid HTTP must be answered 400 {@code invalid_request} by the
 * filter itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {
    /** Every payload carries this marker, so an echo anywhere in a body is found. */
    private static final String MARK = "ZQX";
    /** Well-formed (token alphabet, 44 chars) but unknown: used only where something else is invalid. */
    private static final String SHAPED_TOKEN = "ZQXshapedTokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private static final String[] FORBIDDEN_IN_BODY = {"Exception", "at io.", "org.postgresql", "SELECT", "INSERT",
            "\tat ", "java.", "jakarta.", "org.eclipse", "<script", "onerror", "pg_sleep", "DROP TABLE", MARK,
            MARK.toLowerCase(java.util.Locale.ROOT)};

    @AutoClose
    private AppStack stack;
    private UsersTable users;

    @BeforeAll
    void start() throws Exception {
        stack = AppStack.startWithFilter(params -> params.put("stytchTimeoutMillis", "2000"));
        users = stack.users();
        users.seed("alice@example.com");
        users.seed("bob@example.com", null, "user-test-bob");
    }

    /**
     * One generated request. {@code filterMustAnswer}: valid HTTP, so the filter (not the container) must say
     * 400. {@code http09}: the request line has no HTTP version, which Jetty answers 505 (HTTP/0.9 is not
     * supported) before any filter runs; the one 5xx accepted, and only from the container.
     */
    private record Case(String name, byte[] request, boolean filterMustAnswer, boolean http09) {
        Case(String name, byte[] request, boolean filterMustAnswer) {
            this(name, request, filterMustAnswer, false);
        }
    }

    @Test
    void answersEveryMalformedCallbackWith4xxWithoutEchoWritesOrStytchCalls() throws Exception {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(200);
        String before = users.snapshot();
        Map<String, Integer> histogram = new TreeMap<>();
        List<String> problems = new ArrayList<>();

        long stytchCallsBefore = 0;
        int containerEchoes = 0;
        Map<Integer, List<String>> byContainer = new TreeMap<>();
        for (Case c : cases) {
            RawHttp.Response r = RawHttp.send(stack.app().port(), c.request());
            // the filter marks every callback answer it writes; the container's own error pages lack it
            boolean byFilter = "no-referrer".equals(r.header("Referrer-Policy"));
            histogram.merge(r.status() + (byFilter ? " filter" : " container"), 1, Integer::sum);
            if (!byFilter) {
                byContainer.computeIfAbsent(r.status(), k -> new ArrayList<>()).add(c.name());
            }
            String where = "[" + c.name() + "] status " + r.status() + (byFilter ? " (filter)" : " (container)");
            boolean accepted5xx = c.http09() && !byFilter && r.status() == 505;
            if ((r.status() < 400 || r.status() > 499) && !accepted5xx) {
                problems.add(where + ": not a 4xx" + (r.problem() == null ? "" : " (" + r.problem() + ")")
                        + "; body: " + abbreviate(r.body()));
            }
            if (c.filterMustAnswer() && !(byFilter && r.status() == 400)) {
                problems.add(where + ": a valid HTTP request the filter must answer 400 invalid_request; body: " + abbreviate(r.body()));
            }
            if (byFilter && !c.name().startsWith("HEAD") && !r.body().contains("<code>invalid_request</code>")) {
                problems.add(where + ": the filter's answer does not name invalid_request: " + abbreviate(r.body()));
            }
            for (String forbidden : FORBIDDEN_IN_BODY) {
                boolean echo = forbidden.equalsIgnoreCase(MARK);
                if (r.body().contains(forbidden)) {
                    if (echo && !byFilter) {
                        // Jetty's own error page shows the request URI (HTML-escaped): the container's, not the filter's
                        containerEchoes++;
                    } else {
                        problems.add(where + ": body contains [" + forbidden + "]: " + abbreviate(r.body()));
                    }
                }
            }
            long stytchCalls = stack.emulator().requestCount("/v1/magic_links/authenticate")
                    + stack.emulator().requestCount("/v1/oauth/authenticate");
            if (stytchCalls != stytchCallsBefore) {
                problems.add(where + ": Stytch was called (" + (stytchCalls - stytchCallsBefore) + " authenticate requests)");
                stytchCallsBefore = stytchCalls;
            }
            String after = users.snapshot();
            if (!after.equals(before)) {
                problems.add(where + ": users table changed: " + after);
                before = after;
            }
        }
        System.out.println("HostileInputIT: " + cases.size() + " requests; statuses " + histogram
                + "; container error pages echoing the (escaped) request URI: " + containerEchoes);
        System.out.println("HostileInputIT: answered by the container: " + byContainer);
        assertThat(problems).as("problems among %d hostile requests", cases.size()).isEmpty();
        assertThat(users.snapshot()).isEqualTo("1:alice@example.com:,2:bob@example.com:user-test-bob");
    }

    private static String abbreviate(String s) {
        String flat = s.replace("\n", "\\n").replace("\r", "\\r");
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }

    // ---- the generated requests ----

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String contextPath = stack.app().contextPath();
        String path = contextPath + "/authenticate";
        String goodQuery = "stytch_token_type=magic_links&token=" + SHAPED_TOKEN;

        // every method but GET and POST, with otherwise valid parameters
        String[] methods = {"HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND", "LOCK", "MKCOL", "COPY", "BREW", "FOO"};
        for (String m : methods) {
            for (String type : new String[] {"magic_links", "oauth"}) {
                cases.add(new Case(m + " " + type, request(m, path + "?stytch_token_type=" + type + "&token=" + SHAPED_TOKEN,
                        List.of(), null, null), true));
            }
        }
        for (String type : new String[] {"magic_links", "oauth"}) {
            // TRACE may be refused by the container; lower-case methods are other (unknown) methods
            cases.add(new Case("TRACE " + type, request("TRACE", path + "?stytch_token_type=" + type + "&token=" + SHAPED_TOKEN,
                    List.of(), null, null), false));
            cases.add(new Case("get (lower case) " + type, request("get", path + "?stytch_token_type=" + type + "&token="
                    + SHAPED_TOKEN, List.of(), null, null), false));
            cases.add(new Case("post (lower case) " + type, request("post", path, List.of(), FORM,
                    bytes("stytch_token_type=" + type + "&token=" + SHAPED_TOKEN)), false));
        }
        for (String m : new String[] {"PUT", "PATCH", "DELETE"}) {
            cases.add(new Case(m + " with a form body", request(m, path + "?" + goodQuery, List.of(), FORM, bytes(goodQuery)), true));
        }

        // token values, by GET query and by POST form body
        for (String[] t : tokenVariants()) {
            String query = "stytch_token_type=magic_links" + t[1];
            boolean valid = !"raw".equals(t[2]);
            cases.add(new Case("GET token " + t[0], request("GET", path + "?" + query, List.of(), null, null), valid));
            cases.add(new Case("POST token " + t[0], request("POST", path, List.of(), FORM, bytes(query)), true));
        }
        // oversized tokens: the container may refuse long query strings (414/431); form bodies reach the filter
        for (int length : new int[] {513, 600, 2_000, 7_000, 9_000, 70_000, 1_048_576}) {
            String token = MARK + "A".repeat(length - MARK.length());
            String query = "stytch_token_type=magic_links&token=" + token;
            cases.add(new Case("GET token of " + length + " chars", request("GET", path + "?" + query, List.of(), null, null),
                    length <= 2_000));
            cases.add(new Case("POST token of " + length + " chars", request("POST", path, List.of(), FORM, bytes(query)), true));
        }
        cases.add(new Case("POST 1 MB token, chunked", chunked(path, bytes("stytch_token_type=magic_links&token="
                + MARK + "B".repeat(1_048_576))), true));
        cases.add(new Case("POST 1 MB token, Expect: 100-continue", request("POST", path, List.of("Expect: 100-continue"), FORM,
                bytes("stytch_token_type=magic_links&token=" + MARK + "C".repeat(1_048_576))), true));

        // stytch_token_type values, with a well-shaped token
        for (String[] t : typeVariants()) {
            String query = t[1] + "&token=" + SHAPED_TOKEN;
            cases.add(new Case("GET type " + t[0], request("GET", path + "?" + query, List.of(), null, null), true));
            cases.add(new Case("POST type " + t[0], request("POST", path, List.of(), FORM, bytes(query)), true));
        }
        // repeated across query and body
        cases.add(new Case("POST token in query and body", request("POST", path + "?token=" + SHAPED_TOKEN, List.of(), FORM,
                bytes(goodQuery)), true));
        cases.add(new Case("POST type in query and body", request("POST", path + "?stytch_token_type=oauth", List.of(), FORM,
                bytes(goodQuery)), true));

        // raw bytes the container must judge: control characters, invalid UTF-8, broken request lines
        byte[][] rawQueries = {
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0x01, "b"),
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0x00, "b"),
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0x7F, "b"),
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0x1B, "[31m"),
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0x09, "b"),
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0xFF, "b"),
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0xC3, "("),
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0x80, "b"),
                rawBytes("stytch_token_type=magic_links&token=ZQXa", 0xC0, "\u00af"),
                bytes("stytch_token_type=magic_links&token=ZQX\u00f6ken"),
                bytes("stytch_token_type=magic_links&token=ZQX a b"),
                bytes("stytch_token_type=magic_links&token=ZQX\"<>"),
                bytes("stytch_token_type=magic_links&token=ZQX{}|\\^`"),
        };
        for (int i = 0; i < rawQueries.length; i++) {
            ByteArrayOutputStream target = new ByteArrayOutputStream();
            target.writeBytes(bytes(path + "?"));
            target.writeBytes(rawQueries[i]);
            cases.add(new Case("GET raw query bytes #" + i, request("GET", target.toByteArray(), List.of(), null, null), false));
        }
        cases.add(new Case("request splitting CRLF in target", bytes("GET " + path + "?stytch_token_type=magic_links&token=ZQX\r\n"
                + "X-Injected: ZQX HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), false, true));
        cases.add(new Case("no Host header", bytes("GET " + path + "?token=ZQX<> HTTP/1.1\r\nConnection: close\r\n\r\n"), false));
        cases.add(new Case("HTTP/1.0, no Host", bytes("GET " + path + "?token=ZQX<> HTTP/1.0\r\n\r\n"), false));
        cases.add(new Case("absolute-form target", bytes("GET http://127.0.0.1:" + stack.app().port() + path + "?stytch_token_type=oauth&token=ZQX%00"
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), false));
        cases.add(new Case("fragment in target", request("GET", path + "?stytch_token_type=oauth#token=" + SHAPED_TOKEN,
                List.of(), null, null), false));
        cases.add(new Case("path parameter", request("GET", path + ";jsessionid=ZQX?stytch_token_type=oauth&token=ZQX%3C",
                List.of(), null, null), false));
        cases.add(new Case("dot segments", request("GET", contextPath + "/x/../authenticate?stytch_token_type=oauth&token=ZQX%3C",
                List.of(), null, null), false));
        cases.add(new Case("encoded path", request("GET", contextPath + "/%61uthenticate?stytch_token_type=oauth&token=ZQX%3C",
                List.of(), null, null), false));
        cases.add(new Case("encoded slash", request("GET", contextPath + "/x%2F..%2Fauthenticate?stytch_token_type=oauth&token=ZQX%3C",
                List.of(), null, null), false));

        // huge and hostile headers; the payload is invalid too, in case the container lets the request through
        String badQuery = "stytch_token_type=magic_links&token=ZQX%3Cscript%3E";
        cases.add(new Case("Cookie of 20 KB", request("GET", path + "?" + badQuery,
                List.of("Cookie: a=" + MARK + "x".repeat(20_000)), null, null), false));
        cases.add(new Case("Cookie of 6 KB", request("GET", path + "?" + badQuery,
                List.of("Cookie: a=" + MARK + "x".repeat(6_000)), null, null), true));
        cases.add(new Case("header of 64 KB", request("GET", path + "?" + badQuery,
                List.of("X-Big: " + MARK + "y".repeat(65_536)), null, null), false));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add("X-Many-" + i + ": " + MARK + "z".repeat(60));
        }
        cases.add(new Case("300 headers", request("GET", path + "?" + badQuery, many, null, null), false));
        cases.add(new Case("User-Agent with HTML", request("GET", path + "?" + badQuery,
                List.of("User-Agent: <script>alert('ZQX')</script>"), null, null), true));
        cases.add(new Case("Referer with SQL", request("GET", path + "?" + badQuery,
                List.of("Referer: http://127.0.0.1/?q=' OR 1=1; DROP TABLE users; --ZQX"), null, null), true));
        cases.add(new Case("session cookie with SQL", request("GET", path + "?" + badQuery,
                List.of("Cookie: JSESSIONID=' OR '1'='1ZQX"), null, null), true));
        cases.add(new Case("X-Forwarded-For junk", request("GET", path + "?" + badQuery,
                List.of("X-Forwarded-For: ZQX, <script>, ' OR 1=1"), null, null), true));
        cases.add(new Case("header with raw control byte", request("GET", bytes(path + "?" + badQuery),
                List.of("X-Ctl: ZQX\u0001\u007f"), null, null), false));
        cases.add(new Case("header with obs-fold", bytes("GET " + path + "?" + badQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Fold: a\r\n  ZQX\r\nConnection: close\r\n\r\n"), false));
        cases.add(new Case("header without colon", bytes("GET " + path + "?" + badQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "ZQX-no-colon\r\nConnection: close\r\n\r\n"), false));
        StringBuilder longQuery = new StringBuilder("stytch_token_type=magic_links&token=" + SHAPED_TOKEN);
        while (longQuery.length() < 20_000) {
            longQuery.append("&pad=").append(MARK).append("0123456789");
        }
        cases.add(new Case("query string of 20 KB", request("GET", path + "?" + longQuery, List.of(), null, null), false));
        StringBuilder manyKeys = new StringBuilder("stytch_token_type=magic_links&token=" + SHAPED_TOKEN);
        for (int i = 0; i < 5_000; i++) {
            manyKeys.append("&k").append(i).append('=').append(MARK);
        }
        cases.add(new Case("POST 5000 form keys", request("POST", path, List.of(), FORM, bytes(manyKeys.toString())), true));
        cases.add(new Case("POST form with bogus charset", request("POST", path, List.of(),
                "application/x-www-form-urlencoded; charset=zqx-bogus", bytes("stytch_token_type=magic_links&token=" + SHAPED_TOKEN
                        + "%FF")), false));
        cases.add(new Case("POST JSON body", request("POST", path, List.of(), "application/json",
                bytes("{\"stytch_token_type\":\"magic_links\",\"token\":\"" + SHAPED_TOKEN + "\"}")), true));
        cases.add(new Case("POST multipart body", request("POST", path, List.of(), "multipart/form-data; boundary=XyZ",
                bytes("--XyZ\r\nContent-Disposition: form-data; name=\"stytch_token_type\"\r\n\r\nmagic_links\r\n"
                        + "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n" + SHAPED_TOKEN + "\r\n--XyZ--\r\n")), false));
        cases.add(new Case("POST form without content type", request("POST", path, List.of(), null, bytes(goodQuery)), true));
        return cases;
    }

    private static final String FORM = "application/x-www-form-urlencoded";

    /** {name, "&token=..." part already encoded as on the wire, "raw" when the wire form is not valid percent-encoding}. */
    private static List<String[]> tokenVariants() {
        List<String[]> v = new ArrayList<>();
        v.add(new String[] {"missing", "", ""});
        v.add(new String[] {"empty", "&token=", ""});
        v.add(new String[] {"without =", "&token", ""});
        v.add(new String[] {"blank spaces", "&token=%20%20%20", ""});
        v.add(new String[] {"blank plus", "&token=+++", ""});
        v.add(new String[] {"tab", "&token=%09", ""});
        v.add(new String[] {"repeated", "&token=aZQXa&token=bZQXb", ""});
        v.add(new String[] {"repeated identical", "&token=" + SHAPED_TOKEN + "&token=" + SHAPED_TOKEN, ""});
        v.add(new String[] {"repeated, one empty", "&token=&token=" + SHAPED_TOKEN, ""});
        v.add(new String[] {"only as Token", "&Token=" + SHAPED_TOKEN, ""});
        v.add(new String[] {"only as token[]", "&token[]=" + SHAPED_TOKEN, ""});
        v.add(new String[] {"only as tok%65n", "&tok%65n=" + SHAPED_TOKEN + "&token=%3C", ""});
        String[] controls = {"%00", "%01", "%07", "%08", "%0A", "%0D", "%0D%0ASet-Cookie:%20x%3DZQX", "%1B%5B31m", "%7F",
                "%C2%85", "%E2%80%AE", "%EF%BB%BF", "%E2%80%8B", "%C2%A0"};
        for (String c : controls) {
            v.add(new String[] {"control " + c, "&token=abcZQX" + c + "def", ""});
        }
        String[] badPercent = {"%", "%G1", "%2", "%%", "%ZQ", "%u0041", "%%41", "%2%41"};
        for (String p : badPercent) {
            v.add(new String[] {"bad percent " + p, "&token=ZQX" + p + "tail", "raw"});
        }
        String[] badUtf8 = {"%C3%28", "%FF", "%80", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%E2%82", "%FE%FF"};
        for (String u : badUtf8) {
            v.add(new String[] {"invalid UTF-8 " + u, "&token=ZQX" + u + "tail", ""});
        }
        String[] hostile = {
                "' OR '1'='1", "1; DROP TABLE users; --", "\" OR 1=1 --", "' UNION SELECT stytch_user_id FROM users --",
                "1) OR pg_sleep(5)--", "$$;SELECT 1;$$", "\\'; TRUNCATE users; --", "admin'--", "%' AND 1=1 AND '%'='",
                "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "</code><h1>pwned</h1>", "javascript:alert(1)",
                "{{7*7}}", "${jndi:ldap://127.0.0.1/a}", "${sys:user.home}", "%{x}", "..\\..\\etc", "a b", "tökén", "😀",
                "ＺＱＸ", "a\u0000b", "a,b", "a;b", "a&b", "a:b", "a@b", "a#b", "a?b", "a!b", "a*b", "a'b", "a\"b", "a(b)"};
        // (a "/../", "=", "null" token is well-shaped: it goes to Stytch, which answers 401; not a validation case)
        for (String h : hostile) {
            v.add(new String[] {"hostile " + h.replace("\u0000", "\\0"),
                    "&token=" + URLEncoder.encode(MARK + h, StandardCharsets.UTF_8), ""});
        }
        return v;
    }

    /** {name, the stytch_token_type part as on the wire}. */
    private static List<String[]> typeVariants() {
        List<String[]> v = new ArrayList<>();
        v.add(new String[] {"missing", "x=1"});
        v.add(new String[] {"empty", "stytch_token_type="});
        v.add(new String[] {"without =", "stytch_token_type"});
        v.add(new String[] {"repeated", "stytch_token_type=magic_links&stytch_token_type=magic_links"});
        v.add(new String[] {"both types", "stytch_token_type=magic_links&stytch_token_type=oauth"});
        v.add(new String[] {"comma list", "stytch_token_type=magic_links,oauth"});
        for (String t : new String[] {"reset_password", "MAGIC_LINKS", "Oauth", "magic_links%20", "%20magic_links", "magic_links%00",
                "oauth%0A", "magic_link", "passwords", "sso", "otp", "discovery", "multi_tenant_magic_links", "discovery_oauth",
                "null", "%27%20OR%201%3D1--", "%3Cscript%3EZQX%3C%2Fscript%3E", "ZQX" + "t".repeat(1000), "%C3%28", "%FF"}) {
            v.add(new String[] {"value " + (t.length() > 40 ? t.substring(0, 40) + "..." : t), "stytch_token_type=" + t});
        }
        return v;
    }

    // ---- request bytes ----

    private byte[] request(String method, String target, List<String> headers, String contentType, byte[] body) {
        return request(method, bytes(target), headers, contentType, body);
    }

    private byte[] request(String method, byte[] target, List<String> headers, String contentType, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(method + " "));
        out.writeBytes(target);
        StringBuilder head = new StringBuilder(" HTTP/1.1\r\nHost: 127.0.0.1:" + stack.app().port() + "\r\nConnection: close\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        if (body != null) {
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    private byte[] chunked(String path, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + stack.app().port() + "\r\nConnection: close\r\n"
                + "Content-Type: " + FORM + "\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (int i = 0; i < body.length; i += 8192) {
            int n = Math.min(8192, body.length - i);
            out.writeBytes(bytes(Integer.toHexString(n) + "\r\n"));
            out.write(body, i, n);
            out.writeBytes(bytes("\r\n"));
        }
        out.writeBytes(bytes("0\r\n\r\n"));
        return out.toByteArray();
    }

    /** ISO-8859-1 bytes for ASCII text; UTF-8 for characters above 0xFF. */
    private static byte[] bytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return s.getBytes(StandardCharsets.UTF_8);
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] rawBytes(String before, int rawByte, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(before));
        out.write(rawByte);
        out.writeBytes(bytes(after));
        return out.toByteArray();
    }
}
