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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the sample app on embedded Jetty 12 (ee10), deploying the same {@code WEB-INF/web.xml} as the
 * WAR, with the {@code jdbc/users} DataSource bound through Jetty's JNDI support.
 *
 * <p>Embedded defaults: PostgreSQL from zonky and the Stytch emulator in-process, both keeping their
 * state in the data directory ({@link DataDir}, default {@code ./.sample-data}), so users and their
 * Stytch ids survive restarts. With {@code STYTCH_PROJECT_ID} and {@code STYTCH_SECRET} it talks to
 * real Stytch; with {@code DATABASE_URL} (+ {@code DATABASE_USER}, {@code DATABASE_PASSWORD}) it uses
 * that database. {@link #USAGE} lists the flags. A start that fails says why in one line
 * ({@link StartProblem}).
 */
public final class SampleLauncher implements AutoCloseable {
    /** Any value works with the emulator; real Stytch needs the project's public token. */
    public static final String EMULATOR_PUBLIC_TOKEN = "public-token-test-emulator";
    /** Holds {@code postgres/} and {@code emulator/}. */
    public static final Path DEFAULT_DATA_DIR = Path.of(".sample-data");

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar sample-webapp-standalone.jar [--port N] [--host ADDRESS] [--data-dir DIR] [--verbose]",
            "  --port N          port to listen on (default 8080; 0: any free port)",
            "  --host ADDRESS    address to listen on (default 127.0.0.1; 0.0.0.0: every interface)",
            "  --data-dir DIR    the embedded PostgreSQL (DIR/postgres) and the emulator (DIR/emulator) keep",
            "                    users, Stytch ids and keys here between runs (default ./.sample-data;",
            "                    delete it to start over)",
            "  --verbose         stack traces and the embedded servers' logs",
            "  --help            print this help",
            "environment:",
            "  PORT                                  same as --port (the flag wins)",
            "  STYTCH_PROJECT_ID, STYTCH_SECRET      use real Stytch instead of the emulator; with them",
            "  STYTCH_API_BASE_URL, STYTCH_PUBLIC_TOKEN (Google login)",
            "  APP_BASE_URL                          the app's public URL, when not http://localhost:PORT/",
            "  DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD   use this database instead of the embedded one");

    // JUL keeps loggers weakly: hold the ones whose level we set
    private static final List<Logger> QUIETED = new ArrayList<>();

    /** What to start; {@link #fromEnvironment} reads it from the command line and environment. */
    public static final class Options {
        int port = 8080;
        String host = "127.0.0.1";
        Path dataDir = DEFAULT_DATA_DIR;
        Map<String, String> env = Map.of();
        Path webappDir;
        boolean verbose;
        boolean help;

        public Options port(int port) {
            this.port = port;
            return this;
        }

        public Options host(String host) {
            this.host = host;
            return this;
        }

        /** The sample's data directory, holding {@code postgres/} and {@code emulator/} (kept between runs). */
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
                o.port = port("PORT", env.get("PORT"));
            }
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--port" -> o.port = port(arg, value(args, ++i));
                    case "--host" -> o.host = value(args, ++i);
                    case "--data-dir" -> o.dataDir = Path.of(value(args, ++i));
                    case "--verbose", "-v" -> o.verbose = true;
                    case "--help", "-h" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown argument [" + arg + "]");
                }
            }
            return o;
        }

        private static int port(String name, String value) {
            try {
                int port = Integer.parseInt(value.trim());
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // the message below says what is wanted
            }
            throw new IllegalArgumentException(name + " [" + value + "] must be a port number 0..65535");
        }

        private static String value(String[] args, int index) {
            if (index >= args.length || args[index].isBlank()) {
                throw new IllegalArgumentException(args[index - 1] + " needs a value");
            }
            return args[index];
        }
    }

    private final Server server;
    private final String appUrl;
    private final StytchEmulator emulator;
    private final EmbeddedPostgres postgres;
    private final HikariDataSource dataSource;
    private final DataDir data;
    private final String description;

    private SampleLauncher(Server server, String appUrl, StytchEmulator emulator, EmbeddedPostgres postgres,
                           HikariDataSource dataSource, DataDir data, String description) {
        this.server = server;
        this.appUrl = appUrl;
        this.emulator = emulator;
        this.postgres = postgres;
        this.dataSource = dataSource;
        this.data = data;
        this.description = description;
    }

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$-7s %3$s - %5$s%6$s%n");
        Options options;
        try {
            options = Options.fromEnvironment(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(USAGE);
            return;
        }
        // a failed start is told in one line: Jetty would log the same failure with its stack trace
        logLevels(options.verbose ? Level.INFO : Level.OFF);
        SampleLauncher sample;
        try {
            sample = start(options);
        } catch (Exception | Error e) {
            System.err.println(StartProblem.explain(e, options));
            if (options.verbose) {
                e.printStackTrace();
            }
            System.exit(1);
            return;
        }
        logLevels(options.verbose ? Level.INFO : Level.WARNING);
        // Ctrl+C (SIGINT) and kill (SIGTERM) end here: stop Jetty, the emulator and PostgreSQL in order
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sample.close();
            System.out.println("sample-webapp stopped.");
            System.out.flush();
        }, "sample-shutdown"));
        System.out.println(sample.description);
        System.out.println("Press Ctrl+C to stop.");
        System.out.flush();
        try {
            sample.server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts everything and returns once the app answers. */
    public static SampleLauncher start(Options options) throws Exception {
        Map<String, String> env = options.env;
        StringBuilder text = new StringBuilder("\nstytch-migration sample-webapp\n");
        boolean embeddedDatabase = !nonEmpty(env.get("DATABASE_URL"));
        boolean realStytch = nonEmpty(env.get("STYTCH_PROJECT_ID")) || nonEmpty(env.get("STYTCH_SECRET"));
        DataDir data = null;
        StytchEmulator emulator = null;
        EmbeddedPostgres postgres = null;
        HikariDataSource dataSource = null;
        Server server = null;
        try {
            // 0. what would make the start fail late or obscurely: say it now, in one line
            if (embeddedDatabase || !realStytch) {
                data = DataDir.open(options.dataDir);
                text.append("  Data dir:   ").append(data.root())
                        .append(" (users, Stytch ids and keys survive restarts; delete it to start over)\n");
            }
            if (embeddedDatabase) {
                LeftoverPostgres.stopIfAny(data.postgres()).ifPresent(pid -> text.append("  Note:       stopped the PostgreSQL (pid ")
                        .append(pid).append(") an earlier sample left running on its data dir\n"));
            }
            FreePort.require(options.host, options.port);

            // 1. the database
            HikariConfig pool = new HikariConfig();
            pool.setPoolName("sample-users");
            pool.setMaximumPoolSize(10);
            pool.setConnectionTimeout(5_000);
            if (!embeddedDatabase) {
                pool.setJdbcUrl(env.get("DATABASE_URL"));
                pool.setUsername(env.get("DATABASE_USER"));
                pool.setPassword(env.get("DATABASE_PASSWORD"));
                text.append("  Database:   ").append(withoutQuery(env.get("DATABASE_URL"))).append(" (DATABASE_URL)\n");
            } else {
                Path dataDir = data.postgres();
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false) // keep the users and their progress between runs
                        .setRegisterShutdownHook(false) // close() stops it after Jetty
                        .start();
                pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
                pool.setUsername("postgres");
                text.append("  Database:   embedded PostgreSQL, data in ").append(dataDir).append('\n');
            }
            dataSource = new HikariDataSource(pool);

            // 2. Stytch
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
                boolean newEmulatorDir = !Files.exists(data.emulator());
                // users, sessions and signing keys survive restarts: Stytch ids stay, JWTs still verify
                emulator = StytchEmulator.builder().port(0).dataDir(data.emulator()).start();
                // read by the ${sys:...} placeholders of web.xml
                System.setProperty("stytch.projectId", emulator.projectId());
                System.setProperty("stytch.secret", emulator.secret());
                System.setProperty("stytch.apiBaseUrl", emulator.baseUrl());
                System.setProperty("stytch.publicToken", EMULATOR_PUBLIC_TOKEN);
                System.setProperty("sample.devInboxUrl", emulator.baseUrl() + "/emulator");
                setOrClear("sample.appBaseUrl", env.get("APP_BASE_URL"));
                int relinked = newEmulatorDir ? OlderDataDir.relinkToNewEmulator(dataSource, emulator) : 0;
                text.append("  Stytch:     emulator at ").append(emulator.baseUrl()).append('\n');
                text.append("  Dev inbox:  ").append(emulator.baseUrl()).append("/emulator")
                        .append("   <- login emails land here\n");
                if (relinked > 0) {
                    text.append("  Note:       the emulator had no saved state (a data dir from an older sample): ")
                            .append(relinked).append(relinked == 1 ? " migrated user" : " migrated users")
                            .append(" got a new Stytch id, once\n");
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
            text.append(OperatorLines.text(postgres == null ? 0 : postgres.getPort(), env, options.webappDir));
            text.append("  App:        ").append(appUrl).append('\n');
            text.append("  Progress:   ").append(appUrl).append("migration\n");
            return new SampleLauncher(server, appUrl, emulator, postgres, dataSource, data, text.toString());
        } catch (Exception | Error e) {
            closeAll(server, emulator, dataSource, postgres, data);
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
        closeAll(server, emulator, dataSource, postgres, data);
    }

    private static void closeAll(Server server, StytchEmulator emulator, HikariDataSource dataSource,
                                 EmbeddedPostgres postgres, DataDir data) {
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
        if (data != null) {
            data.close(); // last: the next sample may start on the directory now
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

    /** Jetty's, zonky's and Hikari's logs at {@code level}; the app's own stay at INFO. */
    private static void logLevels(Level level) {
        for (String name : List.of("org.eclipse.jetty", "io.zonky", "com.zaxxer.hikari")) {
            Logger l = Logger.getLogger(name);
            l.setLevel(level);
            if (!QUIETED.contains(l)) {
                QUIETED.add(l);
            }
        }
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
