package io.github.stytchmigration.e2e;

import io.github.stytchmigration.matrix.Cell;
import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every end-to-end scenario in this JVM's cell of the container matrix ({@link Cell#current()}): the filter
 * declared in a real web.xml, on Tomcat through a JNDI DataSource of Tomcat's own pool (the driver in the
 * container's class path, as in its lib/), on Jetty through the filter's own pool.
 */
class ContainerMatrixIT extends EndToEndScenarios {
    private final Cell cell = Cell.current();

    @Override
    ServletContainer container() {
        return cell.container();
    }

    @Override
    InitParams withDatabase(InitParams params, TestDatabase db) {
        return cell.isTomcat() ? params.jndi("java:comp/env/jdbc/users") : params.jdbc(db);
    }

    @Override
    ContextXml contextXml(TestDatabase db) {
        return cell.isTomcat() ? new ContextXml().resource("jdbc/users", ContextXml.dbcpDataSource(db, 10)) : null;
    }

    @Test
    void runsTheFilterOfThisCellsNamespaceAndJar() throws Exception {
        // the container's servlet API is the cell's, and only that one
        Class.forName(cell.namespace().filterInterface());
        String other = cell.namespace() == Cell.Namespace.JAVAX ? "jakarta.servlet.Filter" : "javax.servlet.Filter";
        assertThatThrownBy(() -> Class.forName(other)).isInstanceOf(ClassNotFoundException.class);
        if (cell.oneJar()) {
            assertThat(cell.oneJarFile()).isRegularFile();
            // nothing of ours outside WEB-INF/lib: the scenarios pass on the one-jar alone
            for (String ours : new String[] {"io.github.stytchmigration.MigrationFilter", "com.stytch.java.consumer.StytchClient",
                    "okhttp3.OkHttpClient", "kotlin.Unit", "com.zaxxer.hikari.HikariDataSource"}) {
                assertThatThrownBy(() -> Class.forName(ours)).as(ours).isInstanceOf(ClassNotFoundException.class);
            }
        } else {
            Class<?> filter = Class.forName("io.github.stytchmigration.MigrationFilter");
            assertThat(Cell.origin(filter)).as("the jar under test")
                    .startsWith(cell.namespace() == Cell.Namespace.JAVAX ? "stytch-migration-filter-javax-" : "stytch-migration-filter-")
                    .doesNotContain(cell.namespace() == Cell.Namespace.JAVAX ? "-all" : "javax");
            assertThat(filter.getInterfaces()).extracting(Class::getName).contains(cell.namespace().filterInterface());
        }
    }
}
