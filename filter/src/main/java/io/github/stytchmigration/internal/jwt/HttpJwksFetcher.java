package io.github.stytchmigration.internal.jwt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GETs {@code {apiBaseUrl}/v1/sessions/jwks/{projectId}}, as the SDK does (no credentials: the JWKS is
 * public), bounded in time and size. {@code Connection: close}: fetches are minutes apart, and a pooled
 * connection would leave the JDK's keep-alive thread behind a redeployed webapp.
 */
public final class HttpJwksFetcher implements JwksFetcher {
    /** Stytch's JWKS holds a few keys; anything far larger is not a JWKS. */
    static final int MAX_BODY_BYTES = 256 * 1024;
    private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d{1,9})");

    private final URL url;
    private final int timeoutMillis;

    /**
     * @param apiBaseUrl    the resolved API base URL, without a trailing slash
     * @param timeoutMillis bound on connecting and on each read
     */
    public HttpJwksFetcher(String apiBaseUrl, String projectId, long timeoutMillis) {
        try {
            this.url = new URL(apiBaseUrl + "/v1/sessions/jwks/" + projectId);
        } catch (IOException e) {
            throw new IllegalArgumentException("the JWKS URL of stytchApiBaseUrl is malformed", e);
        }
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
    }

    @Override
    public Jwks fetch() throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        try {
            connection.setConnectTimeout(timeoutMillis);
            connection.setReadTimeout(timeoutMillis);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Accept", "application/json");
            connection.setRequestProperty("Connection", "close");
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException("the JWKS endpoint answered status " + status);
            }
            try (InputStream in = connection.getInputStream()) {
                return new Jwks(read(in), maxAge(connection.getHeaderField("Cache-Control")));
            }
        } finally {
            connection.disconnect();
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            if (body.size() + n > MAX_BODY_BYTES) {
                throw new IOException("the JWKS is larger than " + MAX_BODY_BYTES + " bytes");
            }
            body.write(buffer, 0, n);
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    static long maxAge(String cacheControl) {
        if (cacheControl == null) {
            return -1;
        }
        Matcher m = MAX_AGE.matcher(cacheControl.toLowerCase(Locale.ROOT));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
