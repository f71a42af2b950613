package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.TomcatServer;
import io.github.stytchmigration.testing.UsersTable;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deploys and undeploys a webapp carrying the filter, the Stytch SDK and the SDK's runtime libraries in
 * its own WEB-INF/lib, 20 times in one embedded Tomcat, with one real login per deployment. Afterwards no
 * thread started by the filter or the SDK may survive (Okio's watchdog aside, see below), no live thread
 * may hold an undeployed webapp's class loader, and the loaders must be collectable: a leaked
 * deployment would pin thousands of SDK and Kotlin classes each time.
 *
 * <p>Okio's {@code Okio Watchdog} thread has no stop API; the adapter expects it to exit 60 s after the
 * last socket timeout it watched. Its class belongs to the Okio of the webapp that started it, so each
 * deployment starts its own, which pins that webapp while it lives (see the disabled test).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedeployLeakIT {
    private static final int CYCLES = 20;
    private static final int MEASURE_FROM_CYCLE = 5;
    /**
     * Loaded-class growth allowed between cycle 5 and cycle 20. One deployment of this webapp loads a few
     * thousand classes (printed as "classes per deployment"); 15 leaked deployments would add tens of
     * thousands. 2000 leaves room for JIT/lambda/reflection classes of the JVM and Tomcat that appear
     * over time, and is still below one leaked deployment.
     */
    private static final int CLASS_GROWTH_BOUND = 2000;
    private static final Pattern SDK_THREAD = Pattern.compile(
            "OkHttp|Okio|DefaultDispatcher|kotlinx|HikariPool|stytch-migration|housekeeper|connection adder|connection closer");
    private static final String WATCHDOG = "Okio Watchdog";

    private static final String CONTEXT_PATH = "/app";
    /** The metrics MBean of the one filter of each deployment. */
    private static final ObjectName METRICS = objectName("io.github.stytchmigration:type=MigrationFilter,context=/app,name=stytchMigration");

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
    /** Tomcat's "appears to have started a thread named [...]" warning, with the thread's name. */
    private static final Pattern TOMCAT_THREAD_WARNING = Pattern.compile("started a thread named \\[([^\\]]+)\\]");

    @TempDir
    static Path tmp;

    private StytchEmulator emulator;
    private TestDatabase db;
    private TomcatServer tomcat;
    private Path webappDir;
    private LogCapture logs;
    private final HttpClient http = Browser.newClient();

    @BeforeAll
    void start() throws Exception {
        emulator = StytchEmulator.start();
        db = TestDatabase.create();
        UsersTable.create(db);
        webappDir = WebApp.withMigrationFilter(InitParams.stytch(emulator).jdbc(db)
                        .put("stytchTimeoutMillis", "5000")
                        .put("jdbcMaximumPoolSize", "2"))
                .writeTo(tmp.resolve("webapp"));
        Path lib = Files.createDirectories(webappDir.resolve("WEB-INF/lib"));
        copyWebappLibraries(lib);

        tomcat = TomcatServer.start(tmp.resolve("tomcat"));
        logs = LogCapture.start();
        runCycles();
    }

    @AfterAll
    void stop() throws Exception {
        if (logs != null) {
            logs.close();
        }
        if (tomcat != null) {
            tomcat.close();
        }
        if (emulator != null) {
            emulator.close();
        }
        if (db != null) {
            db.close();
        }
    }

    // Measured once, right after the 20th undeployment, by runCycles(); the tests read them in order.
    private final Set<Long> baseline = new LinkedHashSet<>();
    private final List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
    private long classesBeforeFirst;
    private long classesWithFirstDeployed;
    private long classesAtMeasureStart;
    private long classesRightAfter;
    private int loadersAliveRightAfter;
    private int metricsBeansLeftAfterUndeploy;
    private List<Thread> watchdogsRightAfter = List.of();
    private List<Thread> leakedRightAfter = List.of();

    private void runCycles() throws Exception {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            baseline.add(t.getId());
        }
        classesBeforeFirst = loadedClassesAfterGc();
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            TomcatServer.Webapp webapp = tomcat.deploy(webappDir, CONTEXT_PATH);
            ClassLoader webappLoader = webapp.classLoader();
            try {
                Class<?> filter = Class.forName("io.github.stytchmigration.MigrationFilter", false, webappLoader);
                assertThat(filter.getClassLoader()).as("the filter comes from WEB-INF/lib").isSameAs(webappLoader);
                Class<?> coroutines = Class.forName("kotlinx.coroutines.Dispatchers", false, webappLoader);
                assertThat(coroutines.getClassLoader()).as("kotlinx-coroutines comes from WEB-INF/lib").isSameAs(webappLoader);
                Class<?> okhttp = Class.forName("okhttp3.OkHttpClient", false, webappLoader);
                assertThat(okhttp.getClassLoader()).as("OkHttp comes from WEB-INF/lib").isSameAs(webappLoader);

                String email = "redeploy" + (cycle % 3) + "@example.com";
                HttpResponse<String> r = new Browser(http).callback(webapp.appUrl() + "/authenticate", "magic_links",
                        emulator.magicLinkToken(email));
                assertThat(r.statusCode()).as("login in deployment " + cycle + ": " + r.body()).isEqualTo(200);
                assertThat(Browser.field(r, "outcome")).isIn("CREATED", "ALREADY_LINKED");
                assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(METRICS, "Logins"))
                        .as("the deployment's metrics MBean counts its login").isEqualTo(1L);
                if (cycle == 1) {
                    classesWithFirstDeployed = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
                }
            } finally {
                loaders.add(new WeakReference<>(webappLoader));
                // fails unless the webapp stops
                webapp.close();
            }
            if (!ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName(METRICS.getDomain() + ":*"), null).isEmpty()) {
                metricsBeansLeftAfterUndeploy++;
            }
            if (cycle == MEASURE_FROM_CYCLE) {
                classesAtMeasureStart = loadedClassesAfterGc();
            }
        }
        assertThat(new UsersTable(db).count()).isEqualTo(3);

        // the adapter's kotlinx DefaultExecutor exits after its 1 s keep-alive: give the shut-down pools a moment
        for (int i = 0; i < 20; i++) {
            leakedRightAfter = leakedThreads();
            if (leakedRightAfter.isEmpty()) {
                break;
            }
            Thread.sleep(250);
        }
        classesRightAfter = loadedClassesAfterGc();
        loadersAliveRightAfter = aliveLoaders();
        watchdogsRightAfter = newWatchdogs();
        System.out.println("RedeployLeakIT: " + CYCLES + " deploy/login/undeploy cycles");
        System.out.println("RedeployLeakIT: loaded classes before the first deployment " + classesBeforeFirst
                + ", with it deployed " + classesWithFirstDeployed + " (~" + (classesWithFirstDeployed - classesBeforeFirst)
                + " per deployment), after cycle " + MEASURE_FROM_CYCLE + " " + classesAtMeasureStart + ", after cycle "
                + CYCLES + " " + classesRightAfter + " (growth " + (classesRightAfter - classesAtMeasureStart) + ")");
        System.out.println("RedeployLeakIT: right after: undeployed webapp loaders still reachable after GC: "
                + loadersAliveRightAfter + " of " + loaders.size() + "; new Okio Watchdog threads: " + watchdogsRightAfter.size()
                + "; other leaked threads: " + describe(leakedRightAfter));
        System.out.println("RedeployLeakIT: Okio Watchdogs: " + describe(watchdogsRightAfter.subList(0,
                Math.min(2, watchdogsRightAfter.size()))) + (watchdogsRightAfter.size() > 2 ? " ..." : ""));
        System.out.println("RedeployLeakIT: Tomcat's leak warnings at undeploy: " + tomcatLeakWarnings());
    }

    @Test
    @Order(1)
    void stopsEveryThreadOfTheFilterAndTheSdkOnUndeploy() {
        assertThat(describe(leakedRightAfter))
                .as("threads of the filter or the SDK, or holding an undeployed webapp's loader (Okio Watchdog apart)")
                .isEmpty();
        for (Thread w : watchdogsRightAfter) {
            // what is left is Okio's idle watchdog, one per webapp Okio, parked until its 60 s idle timeout
            assertThat(Arrays.toString(w.getStackTrace())).contains("okio.AsyncTimeout");
        }
        assertThat(watchdogsRightAfter.size()).as("Okio Watchdogs: at most one per deployment").isLessThanOrEqualTo(CYCLES);
    }

    @Test
    @Order(2)
    void unregistersTheMetricsMBeanOnEveryUndeploy() {
        // a bean left on the platform MBean server would pin the undeployed webapp's class loader
        assertThat(metricsBeansLeftAfterUndeploy).as("undeployments after which a io.github.stytchmigration MBean was left")
                .isZero();
    }

    @Test
    @Order(3)
    void pinsAtMostOneUndeployedWebappRightAfterUndeploy() {
        assertThat(watchdogsRightAfter).as("Okio Watchdog threads right after the 20th undeploy").hasSizeLessThanOrEqualTo(1);
        assertThat(loadersAliveRightAfter).as("undeployed webapp class loaders reachable right after").isLessThanOrEqualTo(1);
        assertThat(classesRightAfter - classesAtMeasureStart).as("loaded classes, cycle %d to %d", MEASURE_FROM_CYCLE, CYCLES)
                .isLessThan(CLASS_GROWTH_BOUND);
    }

    // ---- the webapp's own libraries ----

    /** The filter as a jar, plus the SDK and its runtime libraries and HikariCP from the test class path. */
    private static void copyWebappLibraries(Path lib) throws IOException {
        Path classes = Path.of("target/classes").toAbsolutePath();
        assertThat(classes.resolve("io/github/stytchmigration/MigrationFilter.class")).exists();
        try (OutputStream out = Files.newOutputStream(lib.resolve("stytch-migration-filter.jar"));
             JarOutputStream jar = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
        Map<String, Boolean> wanted = new LinkedHashMap<>();
        for (String required : new String[] {"/com/stytch/java/sdk/", "/org/jetbrains/kotlin/kotlin-stdlib/",
                "/org/jetbrains/kotlinx/kotlinx-coroutines-core-jvm/", "/org/jetbrains/kotlinx/kotlinx-coroutines-jdk8/",
                "/com/squareup/okhttp3/okhttp/", "/com/squareup/okio/okio-jvm/", "/com/squareup/moshi/moshi/",
                "/org/bitbucket/b_c/jose4j/", "/com/zaxxer/HikariCP/"}) {
            wanted.put(required, false);
        }
        // optional: present only with some versions of the SDK's dependencies
        String[] optional = {"/com/squareup/moshi/moshi-kotlin/", "/com/squareup/okio/okio/", "/org/jetbrains/kotlin/kotlin-stdlib-jdk7/",
                "/org/jetbrains/kotlin/kotlin-stdlib-jdk8/", "/org/jetbrains/kotlin/kotlin-reflect/"};
        List<String> copied = new ArrayList<>();
        for (Path jar : classPath()) {
            String p = jar.toString().replace(File.separatorChar, '/');
            boolean take = false;
            for (Map.Entry<String, Boolean> w : wanted.entrySet()) {
                if (p.contains(w.getKey())) {
                    w.setValue(true);
                    take = true;
                }
            }
            for (String o : optional) {
                take |= p.contains(o);
            }
            if (take && p.endsWith(".jar")) {
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                copied.add(jar.getFileName().toString());
            }
        }
        System.out.println("RedeployLeakIT: WEB-INF/lib = stytch-migration-filter.jar + " + copied);
        assertThat(wanted).as("libraries found on the test class path").doesNotContainValue(false);
    }

    /** java.class.path, expanded through a manifest-only booter jar's Class-Path when surefire uses one. */
    private static List<Path> classPath() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            entries.add(p);
            if (e.endsWith(".jar") && Files.isRegularFile(p)) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    String manifestPath = jar.getManifest() == null ? null
                            : jar.getManifest().getMainAttributes().getValue("Class-Path");
                    if (manifestPath != null) {
                        for (String u : manifestPath.trim().split("\\s+")) {
                            entries.add(Path.of(p.getParent().toUri().resolve(URI.create(u))));
                        }
                    }
                }
            }
        }
        return entries;
    }

    // ---- measurements ----

    private static long loadedClassesAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
    }

    private int aliveLoaders() {
        int alive = 0;
        for (WeakReference<ClassLoader> ref : loaders) {
            if (ref.get() != null) {
                alive++;
            }
        }
        return alive;
    }

    private List<Thread> newWatchdogs() {
        List<Thread> watchdogs = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(WATCHDOG) && !baseline.contains(t.getId())) {
                watchdogs.add(t);
            }
        }
        return watchdogs;
    }

    /** New threads named like the filter's or the SDK's, or holding one of the undeployed loaders; Okio Watchdog apart. */
    private List<Thread> leakedThreads() {
        List<Thread> leaked = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.isAlive() || t.getName().startsWith(WATCHDOG)) {
                continue;
            }
            boolean named = !baseline.contains(t.getId()) && SDK_THREAD.matcher(t.getName()).find();
            if (named || loaderIndex(t.getContextClassLoader()) >= 0) {
                leaked.add(t);
            }
        }
        return leaked;
    }

    private int loaderIndex(ClassLoader l) {
        for (int i = 0; i < loaders.size(); i++) {
            if (l != null && loaders.get(i).get() == l) {
                return i;
            }
        }
        return -1;
    }

    private List<String> describe(List<Thread> threads) {
        List<String> out = new ArrayList<>();
        for (Thread t : threads) {
            int ccl = loaderIndex(t.getContextClassLoader());
            int own = loaderIndex(t.getClass().getClassLoader());
            StackTraceElement[] stack = t.getStackTrace();
            out.add("[" + t.getName() + ", " + t.getState() + (t.isDaemon() ? ", daemon" : "")
                    + ", context loader " + (ccl >= 0 ? "webapp#" + (ccl + 1) : String.valueOf(t.getContextClassLoader()))
                    + ", thread class " + t.getClass().getName() + (own >= 0 ? " from webapp#" + (own + 1) : "")
                    + ", top " + Arrays.toString(Arrays.copyOfRange(stack, Math.min(3, stack.length), Math.min(6, stack.length)))
                    + (t.getName().startsWith(WATCHDOG) ? ", watched " + watchedTimeouts(t) : "") + "]");
        }
        return out;
    }

    /** What an Okio watchdog waits for: the AsyncTimeout queue of its Okio (reflection; diagnostics only). */
    private static String watchedTimeouts(Thread watchdog) {
        try {
            Class<?> asyncTimeout = watchdog.getClass().getEnclosingClass();
            java.lang.reflect.Field head = asyncTimeout.getDeclaredField("head");
            head.setAccessible(true);
            java.lang.reflect.Field next = asyncTimeout.getDeclaredField("next");
            next.setAccessible(true);
            java.lang.reflect.Field at = asyncTimeout.getDeclaredField("timeoutAt");
            at.setAccessible(true);
            List<String> nodes = new ArrayList<>();
            Object node = head.get(null);
            node = node == null ? null : next.get(node);
            long now = System.nanoTime();
            while (node != null && nodes.size() < 5) {
                nodes.add(node.getClass().getName() + " in " + (at.getLong(node) - now) / 1_000_000 + " ms");
                node = next.get(node);
            }
            return nodes.toString();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "(unknown: " + e + ")";
        }
    }

    /** Tomcat's warnings at undeploy: "started a thread named [...]" counted by thread name, and the others. */
    private String tomcatLeakWarnings() {
        Map<String, Integer> threads = new TreeMap<>();
        int other = 0;
        for (LogCapture.Line line : logs.lines()) {
            if (!line.logger().startsWith("org.apache.catalina.loader") || line.level().intValue() < Level.WARNING.intValue()) {
                continue;
            }
            java.util.regex.Matcher m = TOMCAT_THREAD_WARNING.matcher(line.message());
            if (m.find()) {
                threads.merge(m.group(1).replaceAll("\\d+", "N"), 1, Integer::sum);
            } else {
                other++;
            }
        }
        return "threads " + threads + ", other warnings " + other;
    }
}
