package io.github.stytchmigration.e2e;

import java.nio.file.Path;
import java.util.Map;

/** The end-to-end scenarios in Jetty 12 (ee10), with a HikariCP pool owned by the filter. */
class JettyEndToEndTest extends EndToEndTest {
    @Override
    Deployment deploy(WebApp webapp, Path dir) throws Exception {
        return JettyDeployment.start(webapp.writeTo(dir), "/app");
    }

    @Override
    Map<String, String> databaseParams() {
        return Map.of("jdbcUrl", db.jdbcUrl(), "jdbcUsername", db.user(), "jdbcPassword", db.password());
    }
}
