package io.github.stytchmigration.sample;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The start text's operator lines without a server: what the report command says for each database. */
class OperatorLinesTest {
    static final Path WEBAPP = Path.of("src/main/webapp");

    @Test
    void embeddedDatabaseGetsItsUrlAndTheReportCommandAgainstIt() {
        String text = OperatorLines.text(54321, Map.of(), WEBAPP);
        assertThat(text).contains("  JDBC:       jdbc:postgresql://localhost:54321/postgres (user postgres, no password;"
                + " a new port at every start)\n");
        // the tests run from target/classes, not the jar: the command names the jar `mvn package` builds
        assertThat(text).contains("  Report:     java -cp sample-webapp/target/sample-webapp-standalone.jar"
                + " io.github.stytchmigration.MigrationReport --web-xml src/main/webapp/WEB-INF/web.xml"
                + " --jdbcUrl jdbc:postgresql://localhost:54321/postgres --jdbcUsername postgres"
                + " --created-condition \"origin = 'stytch_signup'\"\n");
    }

    @Test
    void databaseUrlFromTheEnvironmentIsPassedAsPlaceholdersSoNoPasswordIsPrinted() {
        String text = OperatorLines.text(0, Map.of(
                "DATABASE_URL", "jdbc:postgresql://db.internal/app?password=hunter2",
                "DATABASE_USER", "app",
                "DATABASE_PASSWORD", "hunter2"), WEBAPP);
        assertThat(text).contains(" --jdbcUrl '${env:DATABASE_URL}' --jdbcUsername '${env:DATABASE_USER}'"
                + " --jdbcPassword '${env:DATABASE_PASSWORD}' --created-condition")
                .doesNotContain("hunter2").doesNotContain("db.internal").doesNotContain("JDBC:");
    }

    @Test
    void databaseWithoutUserOrPasswordLeavesThoseFlagsOut() {
        String text = OperatorLines.text(0, Map.of("DATABASE_URL", "jdbc:postgresql://db/app"), WEBAPP);
        assertThat(text).contains(" --jdbcUrl '${env:DATABASE_URL}' --created-condition")
                .doesNotContain("--jdbcUsername").doesNotContain("--jdbcPassword");
    }

    @Test
    void webXmlIsLeftOutWhenTheWebappIsNotOnDisk() {
        String text = OperatorLines.text(54321, Map.of(), Path.of("target/no-such-webapp"));
        assertThat(text).contains("io.github.stytchmigration.MigrationReport --jdbcUrl ").doesNotContain("--web-xml");
    }
}
