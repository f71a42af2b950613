package io.github.stytchmigration.testing;

import io.github.stytchmigration.emulator.StytchEmulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Everything an end-to-end test runs against, started and closed together: the Stytch emulator, a fresh
 * {@link TestDatabase} with its schema, and a {@link WebApp} deployed in a {@link ServletContainer}, in a
 * temporary directory of its own.
 *
 * <pre>{@code
 * AppStack stack = AppStack.builder()
 *         .webapp((emulator, db) -> WebApp.withMigrationFilter(InitParams.stytch(emulator).jdbc(db)))
 *         .start();
 * new Browser().callback(stack.appUrl() + "/authenticate", "magic_links", stack.emulator().magicLinkToken("a@example.com"));
 * }</pre>
 */
public final class AppStack implements AutoCloseable {
    /** Builds the webapp once the emulator and the database are up (their URLs and secrets are known then). */
    @FunctionalInterface
    public interface WebAppFactory {
        WebApp create(StytchEmulator emulator, TestDatabase db) throws Exception;
    }

    private final Path dir;
    private final StytchEmulator emulator;
    private final TestDatabase db;
    private final Deployment app;

    private AppStack(Path dir, StytchEmulator emulator, TestDatabase db, Deployment app) {
        this.dir = dir;
        this.emulator = emulator;
        this.db = db;
        this.app = app;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The usual stack: the users table, and Jetty running one {@code MigrationFilter} on the emulator and
     * its own HikariCP pool; {@code tune} adds init-params (timeouts, pool size).
     */
    public static AppStack startWithFilter(UnaryOperator<InitParams> tune) throws Exception {
        return builder()
                .webapp((emulator, db) -> WebApp.withMigrationFilter(tune.apply(InitParams.stytch(emulator).jdbc(db))))
                .start();
    }

    public StytchEmulator emulator() {
        return emulator;
    }

    public TestDatabase db() {
        return db;
    }

    /** The default {@code users} table (when the schema is {@link UsersTable#create}). */
    public UsersTable users() {
        return new UsersTable(db);
    }

    public Deployment app() {
        return app;
    }

    /** {@code http://127.0.0.1:PORT/CONTEXT}, no trailing slash. */
    public String appUrl() {
        return app.appUrl();
    }

    /**
     * One magic-link and one OAuth login through {@code callbackPath} before a test measures anything:
     * a JVM's first SDK call (Kotlin, Moshi adapters, OkHttp) can outlive a short {@code stytchTimeoutMillis}
     * on a loaded machine. One that times out still loads those classes, so each is tried up to 5 times.
     * Returns the tokens used (secrets, for log checks); the caller clears the rows they wrote.
     */
    public java.util.List<String> warmUp(String callbackPath) throws Exception {
        java.util.List<String> tokens = new java.util.ArrayList<>();
        for (String type : java.util.List.of("magic_links", "oauth")) {
            int status = 0;
            for (int attempt = 0; attempt < 5 && status != 200; attempt++) {
                String token = type.equals("oauth") ? emulator.oauthToken("google", "warm.up@example.com", true)
                        : emulator.magicLinkToken("warm.up@example.com");
                tokens.add(token);
                status = new Browser().callback(appUrl() + callbackPath, type, token).statusCode();
            }
            if (status != 200) {
                throw new IllegalStateException("a " + type + " warm-up login still answered " + status + " after 5 attempts");
            }
        }
        return tokens;
    }

    /** Stops the container, then the emulator, drops the database and deletes the webapp directory. */
    @Override
    public void close() throws Exception {
        try {
            app.close();
        } finally {
            emulator.close();
            db.close();
            TestDatabase.deleteTree(dir);
        }
    }

    /** What to start; only the webapp is required. */
    public static final class Builder {
        private ServletContainer container = ServletContainer.JETTY;
        private String contextPath = "/app";
        private Consumer<TestDatabase> schema = UsersTable::create;
        private WebAppFactory webapp;

        private Builder() {
        }

        /** Default {@link ServletContainer#JETTY}. */
        public Builder container(ServletContainer container) {
            this.container = container;
            return this;
        }

        /** Default {@code /app}. */
        public Builder contextPath(String contextPath) {
            this.contextPath = contextPath;
            return this;
        }

        /** Creates the tables the filter's schema check looks for at init; default {@link UsersTable#create}. */
        public Builder schema(Consumer<TestDatabase> schema) {
            this.schema = schema;
            return this;
        }

        public Builder webapp(WebAppFactory webapp) {
            this.webapp = webapp;
            return this;
        }

        /** Starts the emulator, creates the database and its schema, writes the webapp and deploys it. */
        public AppStack start() throws Exception {
            if (webapp == null) {
                throw new IllegalStateException("no webapp: call webapp(...) before start()");
            }
            Path dir = Files.createTempDirectory("stytch-migration-app");
            StytchEmulator emulator = StytchEmulator.start();
            TestDatabase db = null;
            try {
                db = TestDatabase.create();
                schema.accept(db);
                Path webappDir = webapp.create(emulator, db).writeTo(dir.resolve("webapp"));
                return new AppStack(dir, emulator, db, container.deploy(webappDir, contextPath));
            } catch (Exception | Error e) {
                emulator.close();
                if (db != null) {
                    db.close();
                }
                TestDatabase.deleteTree(dir);
                throw e;
            }
        }
    }
}
