package io.github.stytchmigration.e2e;

import java.nio.file.Path;
import java.util.Map;

/**
 * The end-to-end scenarios in Tomcat 10.1, configured the way a Tomcat operator does it: the
 * filter in web.xml, the DataSource in context.xml, found through JNDI.
 */
class TomcatEndToEndTest extends EndToEndTest {
    @Override
    Deployment deploy(WebApp webapp, Path dir) throws Exception {
        webapp.contextXml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Context>\n"
                + "  <Resource name=\"jdbc/users\" auth=\"Container\" type=\"javax.sql.DataSource\"\n"
                + "            driverClassName=\"org.postgresql.Driver\" url=\"" + WebApp.escape(db.jdbcUrl()) + "\"\n"
                + "            username=\"" + WebApp.escape(db.user()) + "\" password=\"" + WebApp.escape(db.password()) + "\"\n"
                + "            maxTotal=\"10\" maxWaitMillis=\"3000\"/>\n</Context>\n");
        return TomcatDeployment.start(webapp.writeTo(dir), "/app", tmp.resolve("tomcat"));
    }

    @Override
    Map<String, String> databaseParams() {
        return Map.of("dataSourceJndiName", "java:comp/env/jdbc/users");
    }
}
