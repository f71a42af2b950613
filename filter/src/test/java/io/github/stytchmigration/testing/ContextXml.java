package io.github.stytchmigration.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A webapp's {@code META-INF/context.xml}: the JNDI resources a Tomcat operator declares for it.
 *
 * <pre>{@code
 * new ContextXml().resource("jdbc/users", ContextXml.dbcpDataSource(db, 10))
 * }</pre>
 */
public final class ContextXml {
    /** One {@code <Resource name="..." .../>}; attributes in the order given. */
    public record Resource(String name, Map<String, String> attributes) {
        public Resource {
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }
    }

    private final List<Resource> resources = new ArrayList<>();

    /** Adds {@code <Resource name="NAME" .../>}, e.g. {@code jdbc/users}, found at {@code java:comp/env/NAME}. */
    public ContextXml resource(String name, Map<String, String> attributes) {
        resources.add(new Resource(name, attributes));
        return this;
    }

    /**
     * The attributes of a {@code javax.sql.DataSource} from Tomcat's own pool (DBCP2, Tomcat's default
     * factory) on {@code db}, waiting at most 3 s for a connection. A mutable map: add a {@code factory}
     * or other pool settings to test another kind of pool.
     */
    public static Map<String, String> dbcpDataSource(TestDatabase db, int maxTotal) {
        return dbcpDataSource("org.postgresql.Driver", db.jdbcUrl(), db.user(), db.password(), maxTotal);
    }

    /** {@link #dbcpDataSource(TestDatabase, int)} on any database, e.g. a {@link TestMariaDb} with {@code org.mariadb.jdbc.Driver}. */
    public static Map<String, String> dbcpDataSource(String driverClassName, String url, String user, String password,
                                                     int maxTotal) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("auth", "Container");
        a.put("type", "javax.sql.DataSource");
        a.put("driverClassName", driverClassName);
        a.put("url", url);
        a.put("username", user);
        a.put("password", password);
        a.put("maxTotal", Integer.toString(maxTotal));
        a.put("maxWaitMillis", "3000");
        return a;
    }

    public String xml() {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Context>\n");
        for (Resource r : resources) {
            x.append("  <Resource name=\"").append(Xml.escape(r.name())).append('"');
            r.attributes().forEach((k, v) -> x.append("\n            ").append(k).append("=\"").append(Xml.escape(v)).append('"'));
            x.append("/>\n");
        }
        return x.append("</Context>\n").toString();
    }
}
