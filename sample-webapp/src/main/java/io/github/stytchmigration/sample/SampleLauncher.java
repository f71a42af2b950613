package io.github.stytchmigration.sample;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.eclipse.jetty.ee10.plus.webapp.EnvConfiguration;
import org.eclipse.jetty.ee10.plus.webapp.PlusConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the sample app on embedded Jetty 12 (ee10), deploying the same {@code WEB-INF/web.xml} as the
 * WAR, with the {@code jdbc/users} DataSource bound through Jetty's JNDI support.
 *
 * <p>Embedded defaults: PostgreSQL from zonky (data kept in {@code ./.sample-data/postgres}) and the
 * Stytch emulator in-process. With {@code STYTCH_PROJECT_ID} and {@code STYTCH_SECRET} it talks to
 * real Stytch; with {@code DATABASE_URL} (+ {@code DATABASE_USER}, {@code DATABASE_PASSWORD}) it uses
 * that database. {@code --port N} or {@code PORT} (default 8080; 0 = any free port).
 */
public final class SampleLauncher implements AutoCloseable {
    /** Any value works with the emulator; real Stytch needs the project's public token. */
    public static final String EMULATOR_PUBLIC_TOKEN = "public-token-test-emulator";
    public static final Path DEFAULT_DATA_DIR = Path.of(".sample-data", "postgres");

    // JUL keeps loggers weakly: hold the ones whose level we set
    private static final List<Logger> QUIETED = new ArrayList<>();

    /** What to start; {@link #fromEnvironment} reads it from the command line and environment. */
    public static final class Options {
        int port = 8080;
        String host = "127.0.0.1";
        Path dataDir = DEFAULT_DATA_DIR;
        Map<String, String> env = Map.of();
        Path webappDir;

        public Options port(int port) {
            this.port = port;
            return this;
        }

        public Options host(String host) {
            this.host = host;
            return this;
        }

        /** Embedded PostgreSQL's data directory (kept between runs). */
        public Options dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** The environment to decide by: STYTCH_*, DATABASE_* (tests pass an empty map). */
        public Options env(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /** The exploded webapp (with WEB-INF/web.xml); default: inside the jar, else src/main/webapp. */
        public Options webappDir(Path webappDir) {
            this.webappDir = webappDir;
            return this;
        }

        static Options fromEnvironment(String[] args, Map<String, String> env) {
            Options o = new Options().env(env);
            if (nonEmpty(env.get("PORT"))) {
                o.port = Integer.parseInt(env.get("PORT").trim());
            }
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (arg) {
                    case "--port" -> o.port = Integer.parseInt(require(arg, value));
                    case "--host" -> o.host = require(arg, value);
                    case "--data-dir" -> o.dataDir = Path.of(require(arg, value));
                    case "--help", "-h" -> throw new IllegalArgumentException("");
                    default -> throw new IllegalArgumentException("unknown argument: " + arg);
                }
                i++;
            }
            if (o.port < 0 || o.port > 65535) {
                throw new IllegalArgumentException("port [" + o.port + "] must be 0..65535");
            }
            return o;
        }

        private static String require(String arg, String value) {
            if (value == null) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            return value;
        }
    }

    private final Server server;
    private final String appUrl;
    private final StytchEmulator emulator;
    private final EmbeddedPostgres postgres;
    private final HikariDataSource dataSource;
    private final String description;

    private SampleLauncher(Server server, String appUrl, StytchEmulator emulator, EmbeddedPostgres postgres,
                           HikariDataSource dataSource, String description) {
        this.server = server;
        this.appUrl = appUrl;
        this.emulator = emulator;
        this.postgres = postgres;
        this.dataSource = dataSource;
        this.description = description;
    }

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$-7s %3$s - %5$s%6$s%n");
        quiet("org.eclipse.jetty", Level.WARNING);
        quiet("io.zonky", Level.WARNING);
        quiet("com.zaxxer.hikari", Level.WARNING);
        Options options;
        try {
            options = Options.fromEnvironment(args, System.getenv());
        } catch (IllegalArgumentException e) {
            PrintStream err = System.err;
            if (!e.getMessage().isEmpty()) {
                err.println(e.getMessage());
            }
            err.println("usage: java -jar sample-webapp-standalone.jar [--port N] [--host ADDRESS] [--data-dir DIR]");
            err.println("  env: PORT; STYTCH_PROJECT_ID, STYTCH_SECRET, STYTCH_API_BASE_URL, STYTCH_PUBLIC_TOKEN, APP_BASE_URL;");
            err.println("       DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD (default: emulator + embedded PostgreSQL)");
            System.exit(2);
            return;
        }
        try {
            SampleLauncher sample = start(options);
            Runtime.getRuntime().addShutdownHook(new Thread(sample::close, "sample-shutdown"));
            System.out.println(sample.description);
            System.out.println("Press Ctrl+C to stop.");
            sample.server.join();
        } catch (Exception e) {
            System.err.println("sample-webapp did not start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Starts everything and returns once the app answers. */
    public static SampleLauncher start(Options options) throws Exception {
        Map<String, String> env = options.env;
        StringBuilder text = new StringBuilder("\nstytch-migration sample-webapp\n");
        StytchEmulator emulator = null;
        EmbeddedPostgres postgres = null;
        HikariDataSource dataSource = null;
        Server server = null;
        try {
            // 1. the database
            HikariConfig pool = new HikariConfig();
            pool.setPoolName("sample-users");
            pool.setMaximumPoolSize(10);
            pool.setConnectionTimeout(5_000);
            if (nonEmpty(env.get("DATABASE_URL"))) {
                pool.setJdbcUrl(env.get("DATABASE_URL"));
                pool.setUsername(env.get("DATABASE_USER"));
                pool.setPassword(env.get("DATABASE_PASSWORD"));
                text.append("  Database:   ").append(withoutQuery(env.get("DATABASE_URL"))).append(" (DATABASE_URL)\n");
            } else {
                Path dataDir = options.dataDir.toAbsolutePath().normalize();
                Files.createDirectories(dataDir.getParent());
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false) // keep the users and their progress between runs
                        .setRegisterShutdownHook(false) // close() stops it after Jetty
                        .start();
                pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
                pool.setUsername("postgres");
                text.append("  Database:   embedded PostgreSQL, data in ").append(dataDir)
                        .append(" (delete it to start over)\n");
            }
            dataSource = new HikariDataSource(pool);

            // 2. Stytch
            boolean realStytch = nonEmpty(env.get("STYTCH_PROJECT_ID")) || nonEmpty(env.get("STYTCH_SECRET"));
            if (realStytch) {
                if (!nonEmpty(env.get("STYTCH_PROJECT_ID")) || !nonEmpty(env.get("STYTCH_SECRET"))) {
                    throw new IllegalArgumentException("set both STYTCH_PROJECT_ID and STYTCH_SECRET, or neither (emulator)");
                }
                String projectId = env.get("STYTCH_PROJECT_ID").trim();
                String apiBaseUrl = nonEmpty(env.get("STYTCH_API_BASE_URL")) ? env.get("STYTCH_API_BASE_URL").trim()
                        : projectId.startsWith("project-test-") ? "https://test.stytch.com" : "https://api.stytch.com";
                // read by the ${sys:...} placeholders of web.xml (set in-process: no secret on a command line)
                System.setProperty("stytch.projectId", projectId);
                System.setProperty("stytch.secret", env.get("STYTCH_SECRET").trim());
                System.setProperty("stytch.apiBaseUrl", apiBaseUrl);
                setOrClear("stytch.publicToken", env.get("STYTCH_PUBLIC_TOKEN"));
                setOrClear("sample.appBaseUrl", env.get("APP_BASE_URL"));
                System.clearProperty("sample.devInboxUrl");
                text.append("  Stytch:     project ").append(projectId).append(" at ").append(apiBaseUrl)
                        .append(nonEmpty(env.get("STYTCH_PUBLIC_TOKEN")) ? "" : " (no STYTCH_PUBLIC_TOKEN: Google login hidden)")
                        .append('\n');
            } else {
                emulator = StytchEmulator.builder().port(0).start();
                // read by the ${sys:...} placeholders of web.xml
                System.setProperty("stytch.projectId", emulator.projectId());
                System.setProperty("stytch.secret", emulator.secret());
                System.setProperty("stytch.apiBaseUrl", emulator.baseUrl());
                System.setProperty("stytch.publicToken", EMULATOR_PUBLIC_TOKEN);
                System.setProperty("sample.devInboxUrl", emulator.baseUrl() + "/emulator");
                setOrClear("sample.appBaseUrl", env.get("APP_BASE_URL"));
                int reRegistered = reRegisterWithEmulator(dataSource, emulator);
                text.append("  Stytch:     emulator at ").append(emulator.baseUrl()).append('\n');
                text.append("  Dev inbox:  ").append(emulator.baseUrl()).append("/emulator")
                        .append("   <- login emails land here\n");
                if (reRegistered > 0) {
                    text.append("              (the emulator keeps no state: re-registered ").append(reRegistered)
                            .append(reRegistered == 1 ? " migrated user" : " migrated users").append(" with it)\n");
                }
            }

            // 3. the web app, through the same web.xml as the WAR
            server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost(options.host);
            connector.setPort(options.port);
            server.addConnector(connector);
            // errors the connector answers itself (a 20 KB URL): the sample's page, no server name or version
            server.setErrorHandler(new ServerErrorPage());
            connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration().setSendServerVersion(false);
            WebAppContext webapp = new WebAppContext();
            webapp.setContextPath("/");
            webapp.setBaseResource(webappResource(webapp, options.webappDir));
            // the classes come from this jar (or the test class path), as if from WEB-INF/classes and lib
            webapp.setParentLoaderPriority(true);
            webapp.setThrowUnavailableOnStartupException(true);
            // java:comp/env and <resource-ref> support (jetty-ee10-plus)
            webapp.addConfiguration(new EnvConfiguration(), new PlusConfiguration());
            new org.eclipse.jetty.plus.jndi.Resource(webapp, "jdbc/users", dataSource);
            server.setHandler(webapp);
            server.start();

            String host = "127.0.0.1".equals(options.host) || "0.0.0.0".equals(options.host) ? "localhost" : options.host;
            String appUrl = "http://" + host + ":" + connector.getLocalPort() + "/";
            text.append("  App:        ").append(appUrl).append('\n');
            text.append("  Progress:   ").append(appUrl).append("migration\n");
            return new SampleLauncher(server, appUrl, emulator, postgres, dataSource, text.toString());
        } catch (Exception | Error e) {
            closeAll(server, emulator, dataSource, postgres);
            throw e;
        }
    }

    /** {@code http://localhost:PORT/}. */
    public String appUrl() {
        return appUrl;
    }

    /** The port the app listens on. */
    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The in-process emulator, or null with real Stytch. */
    public StytchEmulator emulator() {
        return emulator;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The lines {@link #main} prints. */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        closeAll(server, emulator, dataSource, postgres);
    }

    private static void closeAll(Server server, StytchEmulator emulator, HikariDataSource dataSource,
                                 EmbeddedPostgres postgres) {
        try {
            if (server != null) {
                server.stop();
            }
        } catch (Exception e) {
            System.err.println("stopping Jetty: " + e);
        }
        if (emulator != null) {
            emulator.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        try {
            if (postgres != null) {
                postgres.close();
            }
        } catch (IOException e) {
            System.err.println("stopping PostgreSQL: " + e);
        }
    }

    private static Resource webappResource(WebAppContext webapp, Path explicit) {
        ResourceFactory resources = ResourceFactory.of(webapp);
        if (explicit != null) {
            return resources.newResource(explicit.toAbsolutePath());
        }
        Resource packaged = resources.newClassLoaderResource("sample-webapp/");
        if (packaged != null && packaged.exists()) {
            return packaged;
        }
        // from an IDE or `mvn exec:java`: the sources
        for (Path candidate : List.of(Path.of("src/main/webapp"), Path.of("sample-webapp/src/main/webapp"))) {
            if (Files.isRegularFile(candidate.resolve("WEB-INF/web.xml"))) {
                return resources.newResource(candidate.toAbsolutePath());
            }
        }
        throw new IllegalStateException("webapp resources not found: neither sample-webapp/ on the class path nor src/main/webapp");
    }

    /**
     * The emulator starts empty every run while the database keeps its links: give each linked row a
     * fresh emulator user with the same email so that its next login is ALREADY_LINKED again, not a
     * conflict. Emulator mode only; real Stytch keeps its users.
     */
    private static int reRegisterWithEmulator(DataSource dataSource, StytchEmulator emulator) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT to_regclass('users') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0; // first run: the app creates the table
                }
            }
            List<long[]> ids = new ArrayList<>();
            List<String[]> who = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id, email, phone FROM users WHERE stytch_user_id IS NOT NULL ORDER BY id")) {
                while (rs.next()) {
                    ids.add(new long[] {rs.getLong(1)});
                    who.add(new String[] {rs.getString(2), rs.getString(3)});
                }
            }
            int done = 0;
            try (PreparedStatement ps = c.prepareStatement("UPDATE users SET stytch_user_id = ? WHERE id = ?")) {
                for (int i = 0; i < ids.size(); i++) {
                    String email = who.get(i)[0];
                    String phone = email == null ? who.get(i)[1] : null;
                    try {
                        ps.setString(1, emulator.createUser(email, email != null, phone, phone != null));
                    } catch (RuntimeException e) {
                        continue; // e.g. a duplicate email: that row keeps its old id
                    }
                    ps.setLong(2, ids.get(i)[0]);
                    done += ps.executeUpdate();
                }
            }
            return done;
        }
    }

    private static void quiet(String logger, Level level) {
        Logger l = Logger.getLogger(logger);
        l.setLevel(level);
        QUIETED.add(l);
    }

    private static void setOrClear(String property, String value) {
        if (nonEmpty(value)) {
            System.setProperty(property, value.trim());
        } else {
            System.clearProperty(property);
        }
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isBlank();
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q); // the query may hold a password
    }
}
