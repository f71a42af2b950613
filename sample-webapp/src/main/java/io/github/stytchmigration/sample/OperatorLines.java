package io.github.stytchmigration.sample;

import io.github.stytchmigration.MigrationReport;
import io.github.stytchmigration.internal.MetricsJmx;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The start text's lines for whoever operates the sample's migration (README "Operating the sample's
 * migration"): the filter's MBean as registered, the database's address, and the report command against that
 * database, ready to paste. Embedded PostgreSQL takes a new free port at every start, so the lines are printed
 * each time rather than written down once. No password is printed: a {@code DATABASE_PASSWORD} is passed as a
 * placeholder that the report resolves from its own environment.
 */
final class OperatorLines {
    /** The report's rows the sample's createUserSql marks (origin 'stytch_signup'), as its progress page counts them. */
    static final String CREATED_CONDITION = "origin = 'stytch_signup'";
    /** What {@code mvn package} builds, when this class does not run from that jar (an IDE, the tests). */
    static final String STANDALONE_JAR = "sample-webapp/target/sample-webapp-standalone.jar";

    private OperatorLines() {
    }

    /**
     * @param embeddedPort the embedded PostgreSQL's port, or 0 with {@code DATABASE_URL}
     * @param env          the environment the launcher decided by ({@code DATABASE_*})
     * @param webappDir    the webapp directory the launcher was given, or null
     */
    static String text(int embeddedPort, Map<String, String> env, Path webappDir) {
        StringBuilder text = new StringBuilder();
        for (ObjectName bean : migrationBeans()) {
            text.append("  JMX MBean:  ").append(bean).append("   <- jconsole: this process, tab MBeans\n");
        }
        List<String> database = new ArrayList<>();
        if (embeddedPort > 0) {
            String url = "jdbc:postgresql://localhost:" + embeddedPort + "/postgres";
            text.append("  JDBC:       ").append(url).append(" (user postgres, no password; a new port at every start)\n");
            database.add("--jdbcUrl " + url);
            database.add("--jdbcUsername postgres");
        } else {
            // placeholders the report resolves from its own environment: no URL query, user or password here
            database.add("--jdbcUrl '${env:DATABASE_URL}'");
            if (env.get("DATABASE_USER") != null) {
                database.add("--jdbcUsername '${env:DATABASE_USER}'");
            }
            if (env.get("DATABASE_PASSWORD") != null) {
                database.add("--jdbcPassword '${env:DATABASE_PASSWORD}'");
            }
        }
        List<String> command = new ArrayList<>(List.of("java", "-cp", quoted(classPath()), MigrationReport.class.getName()));
        Path webXml = webXml(webappDir);
        if (webXml != null) {
            command.add("--web-xml " + quoted(webXml.toString()));
        }
        command.addAll(database);
        command.add("--created-condition \"" + CREATED_CONDITION + "\"");
        text.append("  Report:     ").append(String.join(" ", command)).append('\n');
        return text.toString();
    }

    /** The MigrationFilter beans registered now (one: this app's filter), by their names. */
    private static TreeSet<ObjectName> migrationBeans() {
        try {
            return new TreeSet<>(ManagementFactory.getPlatformMBeanServer().queryNames(
                    new ObjectName(MetricsJmx.DOMAIN + ":type=MigrationFilter,*"), null));
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This jar, relative to the working directory when inside it; else the jar {@code mvn package} builds. */
    private static String classPath() {
        try {
            Path self = Path.of(OperatorLines.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(self)) {
                return relative(self).toString();
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no code source to name (an unusual class loader): name the usual jar
        }
        return STANDALONE_JAR;
    }

    /**
     * The web.xml the app runs, for the report to read the filter's init-params from: the given webapp
     * directory's, else the sources' (running from a clone, as the README does); null when neither is here
     * (the jar copied elsewhere), and the report then reads the default table and columns.
     */
    private static Path webXml(Path webappDir) {
        List<Path> candidates = webappDir != null ? List.of(webappDir)
                : List.of(Path.of("sample-webapp/src/main/webapp"), Path.of("src/main/webapp"));
        for (Path dir : candidates) {
            Path file = dir.resolve("WEB-INF").resolve("web.xml");
            if (Files.isRegularFile(file)) {
                return relative(file);
            }
        }
        return null;
    }

    /** A path as one shell word. */
    private static String quoted(String path) {
        return path.matches("[A-Za-z0-9_./:@+-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
    }

    private static Path relative(Path file) {
        Path here = Path.of("").toAbsolutePath();
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(here) ? here.relativize(absolute) : absolute;
    }
}
