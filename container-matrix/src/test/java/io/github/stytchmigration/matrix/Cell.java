package io.github.stytchmigration.matrix;

import io.github.stytchmigration.testing.ServletContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * One cell of the container matrix: a container, a servlet namespace, and which jar of the filter the webapp
 * gets. The failsafe execution of the cell puts that container (and, for a thin jar, the filter with its
 * dependencies) on the class path and names the cell in {@code matrix.cell}; see container-matrix/pom.xml.
 */
public enum Cell {
    TOMCAT_9("tomcat-9", Namespace.JAVAX, true, null),
    JETTY_EE8("jetty-ee8", Namespace.JAVAX, false, "ee8"),
    TOMCAT_10_0("tomcat-10.0", Namespace.JAKARTA, false, null),
    TOMCAT_10_1("tomcat-10.1", Namespace.JAKARTA, false, null),
    TOMCAT_11("tomcat-11", Namespace.JAKARTA, true, null),
    JETTY_EE10("jetty-ee10", Namespace.JAKARTA, false, "ee10"),
    JETTY_EE11("jetty-ee11", Namespace.JAKARTA, false, "ee11");

    /** The servlet API the container speaks, and so which jar of the filter it needs. */
    public enum Namespace {
        JAVAX, JAKARTA;

        /** The servlet {@code Filter} interface of this namespace. */
        public String filterInterface() {
            return this == JAVAX ? "javax.servlet.Filter" : "jakarta.servlet.Filter";
        }
    }

    private final String id;
    private final Namespace namespace;
    private final boolean oneJar;
    private final String jettyEe;

    Cell(String id, Namespace namespace, boolean oneJar, String jettyEe) {
        this.id = id;
        this.namespace = namespace;
        this.oneJar = oneJar;
        this.jettyEe = jettyEe;
    }

    /** The cell this JVM was started for (system property {@code matrix.cell}). */
    public static Cell current() {
        String id = System.getProperty("matrix.cell");
        for (Cell cell : values()) {
            if (cell.id.equals(id)) {
                return cell;
            }
        }
        throw new IllegalStateException("matrix.cell [" + id + "] names no cell: run the matrix through mvn verify");
    }

    public String id() {
        return id;
    }

    public Namespace namespace() {
        return namespace;
    }

    /** True when the webapp gets the one-jar drop-in in WEB-INF/lib and nothing of ours is on the class path. */
    public boolean oneJar() {
        return oneJar;
    }

    public boolean isTomcat() {
        return jettyEe == null;
    }

    /** The one-jar drop-in of this cell's namespace, as copied by the build. */
    public Path oneJarFile() {
        String dir = System.getProperty("matrix.webappLib");
        if (dir == null) {
            throw new IllegalStateException("matrix.webappLib is not set: run the matrix through mvn verify");
        }
        String name = namespace == Namespace.JAVAX ? "stytch-migration-filter-javax-all.jar" : "stytch-migration-filter-all.jar";
        return Path.of(dir, namespace.name().toLowerCase(Locale.ROOT), name);
    }

    /** The SLF4J API and binding jars an app without Maven adds beside the one-jar. */
    public static Path[] slf4jJars() {
        Path dir = Path.of(System.getProperty("matrix.webappLib"), "slf4j");
        return new Path[] {dir.resolve("slf4j-api.jar"), dir.resolve("slf4j-jdk14.jar")};
    }

    /**
     * This cell's container, deploying a webapp written by {@code WebApp}: the one-jar goes into its
     * WEB-INF/lib when the cell says so, and a javax container gets the Servlet 4.0 descriptor a javax app has.
     */
    public ServletContainer container() {
        return (webappDir, contextPath) -> {
            prepare(webappDir);
            return isTomcat() ? ServletContainer.TOMCAT.deploy(webappDir, contextPath)
                    : JettyEe.start(jettyEe, webappDir, contextPath);
        };
    }

    private void prepare(Path webappDir) throws IOException {
        if (oneJar) {
            Path lib = Files.createDirectories(webappDir.resolve("WEB-INF/lib"));
            Files.copy(oneJarFile(), lib.resolve(oneJarFile().getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        if (namespace == Namespace.JAVAX) {
            Path webXml = webappDir.resolve("WEB-INF/web.xml");
            Files.writeString(webXml, servlet40(Files.readString(webXml, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        }
    }

    /**
     * The fixture writes a Servlet 5.0 (jakartaee) descriptor; a javax app declares Servlet 4.0 (javaee). The
     * elements are the same in both, only the root element's namespace and version differ.
     */
    static String servlet40(String webXml) {
        int start = webXml.indexOf("<web-app");
        int end = webXml.indexOf('>', start);
        if (start < 0 || end < 0) {
            throw new IllegalArgumentException("no <web-app> element in the descriptor");
        }
        return webXml.substring(0, start)
                + "<web-app xmlns=\"http://xmlns.jcp.org/xml/ns/javaee\"\n"
                + "         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                + "         xsi:schemaLocation=\"http://xmlns.jcp.org/xml/ns/javaee http://xmlns.jcp.org/xml/ns/javaee/web-app_4_0.xsd\"\n"
                + "         version=\"4.0\" metadata-complete=\"true\">"
                + webXml.substring(end + 1);
    }

    /** Where the class came from: the file name of its jar, or its classes directory. */
    public static String origin(Class<?> type) {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().getPath()).getFileName().toString();
    }
}
