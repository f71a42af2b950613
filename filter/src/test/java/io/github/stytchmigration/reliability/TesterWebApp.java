package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.TestDatabase;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exploded webapp whose WEB-INF/web.xml declares the filter the way a legacy app does (mapped to
 * {@code /*}, in front of {@link TesterServlet}), deployed in Jetty 12 (ee10) on 127.0.0.1, plus the
 * small HTTP and SQL helpers the reliability tests share. A copy of the e2e helpers, which are
 * package-private there.
 */
final class TesterWebApp implements AutoCloseable {
    static final String TABLE_SQL = "CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email VARCHAR(320), phone VARCHAR(32),"
            + " display_name VARCHAR(200), stytch_user_id VARCHAR(255) UNIQUE)";
    static final String CONTEXT_PATH = "/app";

    private final Server server;
    private final String appUrl;
    private final int port;

    private TesterWebApp(Server server, int port) {
        this.server = server;
        this.port = port;
        this.appUrl = "http://127.0.0.1:" + port + CONTEXT_PATH;
    }

    /** The users table and the indexes the filter's schema check asks for. */
    static void createUsersTable(TestDatabase db) {
        db.exec(TABLE_SQL, "CREATE INDEX users_lower_email_idx ON users (lower(email))",
                "CREATE INDEX users_phone_idx ON users (phone)");
    }

    /** Init-params pointing a filter at the emulator and at the database through the filter's own HikariCP pool. */
    static Map<String, String> params(StytchEmulator emulator, TestDatabase db) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("stytchProjectId", emulator.projectId());
        p.put("stytchSecret", emulator.secret());
        p.put("stytchApiBaseUrl", emulator.baseUrl());
        p.put("jdbcUrl", db.jdbcUrl());
        p.put("jdbcUsername", db.user());
        p.put("jdbcPassword", db.password());
        return p;
    }

    /** Writes {@code dir/WEB-INF/web.xml} with one filter declaration and {@link TesterServlet}. */
    static Path writeWebApp(Path dir, Map<String, String> initParams) throws IOException {
        Files.createDirectories(dir.resolve("WEB-INF"));
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\"\n")
                .append("         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("         xsi:schemaLocation=\"https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_5_0.xsd\"\n")
                .append("         version=\"5.0\" metadata-complete=\"true\">\n")
                .append("  <filter>\n    <filter-name>stytchMigration</filter-name>\n")
                .append("    <filter-class>io.github.stytchmigration.MigrationFilter</filter-class>\n");
        for (Map.Entry<String, String> p : initParams.entrySet()) {
            x.append("    <init-param><param-name>").append(p.getKey()).append("</param-name><param-value>")
                    .append(escape(p.getValue())).append("</param-value></init-param>\n");
        }
        x.append("  </filter>\n")
                .append("  <filter-mapping>\n    <filter-name>stytchMigration</filter-name>\n    <url-pattern>/*</url-pattern>\n  </filter-mapping>\n")
                .append("  <servlet>\n    <servlet-name>app</servlet-name>\n")
                .append("    <servlet-class>").append(TesterServlet.class.getName()).append("</servlet-class>\n  </servlet>\n")
                .append("  <servlet-mapping>\n    <servlet-name>app</servlet-name>\n    <url-pattern>/</url-pattern>\n  </servlet-mapping>\n")
                .append("</web-app>\n");
        Files.writeString(dir.resolve("WEB-INF/web.xml"), x, StandardCharsets.UTF_8);
        return dir;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Jetty 12 with its default thread pool (200 max threads), the filter's classes from the test class path. */
    static TesterWebApp startJetty(Path dir, Map<String, String> initParams) throws Exception {
        writeWebApp(dir, initParams);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext(dir.toString(), CONTEXT_PATH);
        webapp.setParentLoaderPriority(true);
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        server.start();
        return new TesterWebApp(server, connector.getLocalPort());
    }

    String appUrl() {
        return appUrl;
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    // ---- HTTP ----

    static HttpClient newClient() {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** GET {@code /authenticate?stytch_token_type=TYPE&token=TOKEN}, optionally with a session cookie. */
    static HttpResponse<String> callback(HttpClient client, String appUrl, String type, String token, String sessionId)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(appUrl + "/authenticate?stytch_token_type=" + type
                + "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(30)).GET();
        if (sessionId != null) {
            b.header("Cookie", "JSESSIONID=" + sessionId);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Reads a {@code key=value} line written by {@link TesterServlet}; null when absent. */
    static String field(String body, String key) {
        for (String line : body.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1);
            }
        }
        return null;
    }

    // ---- SQL ----

    static long seed(TestDatabase db, String email, String stytchUserId) {
        return db.queryLong("INSERT INTO users (email, stytch_user_id) VALUES (" + literal(email) + ", "
                + literal(stytchUserId) + ") RETURNING id");
    }

    static String literal(String s) {
        return s == null ? "NULL" : "'" + s.replace("'", "''") + "'";
    }

    /** Every row as {@code id:email:stytch_user_id}, ordered by id. */
    static String tableSnapshot(TestDatabase db) {
        return db.queryString("SELECT coalesce(string_agg(id || ':' || coalesce(email,'') || ':' || coalesce(stytch_user_id,''),"
                + " ',' ORDER BY id), '') FROM users");
    }

    /** The emulator, a fresh database with the users table, and Jetty running the filter: started and closed together. */
    static final class Stack implements AutoCloseable {
        final StytchEmulator emulator;
        final TestDatabase db;
        final TesterWebApp app;

        private Stack(StytchEmulator emulator, TestDatabase db, TesterWebApp app) {
            this.emulator = emulator;
            this.db = db;
            this.app = app;
        }

        /** @param tune adjusts the filter's init-params (timeouts, pool size) before Jetty starts */
        static Stack start(Path dir, java.util.function.Consumer<Map<String, String>> tune) throws Exception {
            StytchEmulator emulator = StytchEmulator.start();
            TestDatabase db = null;
            try {
                db = TestDatabase.create();
                createUsersTable(db);
                Map<String, String> params = params(emulator, db);
                tune.accept(params);
                return new Stack(emulator, db, startJetty(dir, params));
            } catch (Exception | Error e) {
                emulator.close();
                if (db != null) {
                    db.close();
                }
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                app.close();
            } finally {
                emulator.close();
                db.close();
            }
        }
    }
}
