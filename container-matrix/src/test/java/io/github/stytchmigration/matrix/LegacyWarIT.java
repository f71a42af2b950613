package io.github.stytchmigration.matrix;

import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.TomcatServer;
import io.github.stytchmigration.testing.UsersTable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A hand-written legacy webapp, as an app without Maven is deployed: its web.xml declares the filter, its
 * WEB-INF/lib holds the one-jar drop-in and an SLF4J binding and nothing else, its META-INF/context.xml a
 * DataSource of Tomcat's own pool (the PostgreSQL driver in the container's class path, as in Tomcat's lib/).
 * The app itself is static pages. Runs in the tomcat-9 (javax one-jar) and tomcat-11 (jakarta one-jar) cells.
 *
 * <p>Besides logging users in, the one-jar must still do what the filter reaches by reflection, by class
 * names that relocation rewrote: lift OkHttp's 5-calls-per-host limit, and end the SDK's threads at undeploy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LegacyWarIT {
    private static final String CONTEXT = "/legacy";
    private static final String AUTHENTICATE = "/v1/magic_links/authenticate";

    @TempDir
    static Path tmp;

    private final Cell cell = Cell.current();
    private StytchEmulator emulator;
    private TestDatabase db;
    private UsersTable users;
    private TomcatServer tomcat;
    private TomcatServer.Webapp webapp;
    private ClassLoader webappLoader;
    private LogCapture logs;

    @BeforeAll
    void deploy() throws Exception {
        logs = LogCapture.start();
        emulator = StytchEmulator.start();
        db = TestDatabase.create();
        users = UsersTable.create(db);
        // the credentials stay out of web.xml: placeholders the filter resolves from system properties
        System.setProperty("legacywar.projectId", emulator.projectId());
        System.setProperty("legacywar.secret", emulator.secret());
        System.setProperty("legacywar.apiBaseUrl", emulator.baseUrl());

        Path app = writeLegacyWebapp(tmp.resolve("legacy"));
        tomcat = TomcatServer.start(tmp.resolve("tomcat"));
        webapp = tomcat.deploy(app, CONTEXT);
        webappLoader = webapp.classLoader();
    }

    private Path writeLegacyWebapp(Path dir) throws IOException {
        String flavour = cell.namespace().name().toLowerCase(Locale.ROOT);
        Files.createDirectories(dir.resolve("WEB-INF/lib"));
        Files.createDirectories(dir.resolve("META-INF"));
        copyResource("legacy-war/" + flavour + "/WEB-INF/web.xml", dir.resolve("WEB-INF/web.xml"));
        copyResource("legacy-war/common/account.html", dir.resolve("account.html"));
        Files.copy(cell.oneJarFile(), dir.resolve("WEB-INF/lib").resolve(cell.oneJarFile().getFileName()));
        for (Path jar : Cell.slf4jJars()) {
            Files.copy(jar, dir.resolve("WEB-INF/lib").resolve(jar.getFileName()));
        }
        Files.writeString(dir.resolve("META-INF/context.xml"),
                new ContextXml().resource("jdbc/users", ContextXml.dbcpDataSource(db, 20)).xml(), StandardCharsets.UTF_8);
        return dir;
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = LegacyWarIT.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            Files.copy(in, target);
        }
    }

    @AfterAll
    void stop() throws Exception {
        System.clearProperty("legacywar.projectId");
        System.clearProperty("legacywar.secret");
        System.clearProperty("legacywar.apiBaseUrl");
        try {
            if (tomcat != null) {
                tomcat.close();
            }
        } finally {
            if (emulator != null) {
                emulator.close();
            }
            if (db != null) {
                db.close();
            }
            logs.close();
        }
    }

    private String appUrl() {
        return webapp.appUrl();
    }

    @Test
    @Order(1)
    void loadsTheFilterAndItsLibrariesFromTheOneJarOnly() throws Exception {
        Class<?> filter = Class.forName("io.github.stytchmigration.MigrationFilter", false, webappLoader);
        assertThat(filter.getClassLoader()).as("the filter comes from WEB-INF/lib").isSameAs(webappLoader);
        assertThat(filter.getInterfaces()).extracting(Class::getName).contains(cell.namespace().filterInterface());
        Class<?> client = Class.forName("io.github.stytchmigration.shaded.com.stytch.java.consumer.StytchClient", false, webappLoader);
        assertThat(client.getClassLoader()).isSameAs(webappLoader);
        // the libraries are relocated: an app's own OkHttp, Kotlin or HikariCP would not meet them
        for (String unrelocated : new String[] {"com.stytch.java.consumer.StytchClient", "okhttp3.OkHttpClient", "kotlin.Unit",
                "kotlinx.coroutines.Dispatchers", "com.zaxxer.hikari.HikariDataSource"}) {
            assertThatThrownBy(() -> Class.forName(unrelocated, false, webappLoader)).as(unrelocated)
                    .isInstanceOf(ClassNotFoundException.class);
        }
        // jose4j is the emulator's too, on this JVM's class path (the container's): WEB-INF/lib must not carry it
        assertThat(Class.forName("org.jose4j.jwt.JwtClaims", false, webappLoader).getClassLoader()).isNotSameAs(webappLoader);
        assertThat(Class.forName("io.github.stytchmigration.shaded.org.jose4j.jwt.JwtClaims", false, webappLoader)
                .getClassLoader()).isSameAs(webappLoader);
        // SLF4J is the app's own, with its binding
        assertThat(Class.forName("org.slf4j.LoggerFactory", false, webappLoader).getClassLoader()).isSameAs(webappLoader);
        assertThat(logs.text()).as("the filter's init line, through the binding in WEB-INF/lib")
                .contains("io.github.stytchmigration");
    }

    @Test
    @Order(2)
    void logsInAndLinksALegacyUserThenServesTheApp() throws Exception {
        long id = users.seed("olga@example.com");
        Browser browser = new Browser();
        HttpResponse<String> callback = browser.callback(appUrl() + "/authenticate", "magic_links",
                emulator.magicLinkToken("Olga@example.com"));
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
        assertThat(callback.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith(CONTEXT + "/account.html"));
        assertThat(users.stytchUserIdOf(id)).startsWith("user-test-");

        HttpResponse<String> account = browser.get(appUrl() + "/account.html");
        assertThat(account.statusCode()).isEqualTo(200);
        assertThat(account.body()).contains("Your account");

        HttpResponse<String> created = new Browser().callback(appUrl() + "/authenticate", "magic_links",
                emulator.magicLinkToken("new.person@example.com"));
        assertThat(created.statusCode()).isEqualTo(303);
        assertThat(users.count()).isEqualTo(2);
    }

    /**
     * OkHttp runs 5 calls per host unless the filter lifts the limit, which it reaches by reflection. With every
     * Stytch answer held back, 8 concurrent callbacks must all reach Stytch before the first is answered; under
     * the default limit the last 3 would wait in OkHttp's queue until one of the first 5 came back.
     */
    @Test
    @Order(3)
    void liftsOkHttpsLimitOfFiveCallsPerHost() throws Exception {
        int callbacks = 8;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < callbacks; i++) {
            tokens.add(emulator.magicLinkToken("concurrent" + i + "@example.com"));
        }
        long before = emulator.requestCount(AUTHENTICATE);
        emulator.injectFault(Fault.delay(AUTHENTICATE, 6000).times(callbacks));
        HttpClient http = Browser.newClient();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (String token : tokens) {
            answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(appUrl() + "/authenticate?stytch_token_type=magic_links&token="
                    + URLEncoder.encode(token, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()));
        }
        boolean anyAnswered = false;
        while (emulator.requestCount(AUTHENTICATE) - before < callbacks) {
            anyAnswered = answers.stream().anyMatch(CompletableFuture::isDone);
            if (anyAnswered) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(anyAnswered).as("a callback was answered before all %d had reached Stytch (%d had)", callbacks,
                emulator.requestCount(AUTHENTICATE) - before).isFalse();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            assertThat(answer.get().statusCode()).isEqualTo(303);
        }
        assertThat(logs.text()).doesNotContain("Could not tune the Stytch SDK's OkHttp client");
    }

    @Test
    @Order(4)
    void endsEveryThreadOfTheWebappAtUndeploy() throws Exception {
        webapp.close();
        List<String> left = webappThreads();
        for (int i = 0; i < 40 && !left.isEmpty(); i++) {
            // kotlinx's DefaultExecutor, once woken, ends after its 1 s keep-alive
            Thread.sleep(100);
            left = webappThreads();
        }
        assertThat(left).as("threads holding the undeployed webapp's class loader").isEmpty();
        assertThat(logs.text()).as("Tomcat's leak check at undeploy").doesNotContain("appears to have started a thread named");
    }

    private List<String> webappThreads() {
        List<String> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && (t.getContextClassLoader() == webappLoader || t.getClass().getClassLoader() == webappLoader)) {
                found.add(t.getName());
            }
        }
        return found;
    }
}
