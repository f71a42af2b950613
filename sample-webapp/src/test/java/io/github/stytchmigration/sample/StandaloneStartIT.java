package io.github.stytchmigration.sample;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code sample-webapp-standalone.jar} run as a user runs it, in its own JVM: each way a
 * start can go wrong ends in one line on stderr and a non-zero exit, without a stack trace. One sample
 * runs on a shared data directory for the whole class (starts cost seconds); the last test kills it
 * with {@code kill -9} and starts again on its directory.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneStartIT {
    private static final Path JAR = Path.of("target", "sample-webapp-standalone.jar");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3); // a loaded CI machine
    private static final String READY = "Press Ctrl+C to stop.";

    static Path work;
    static Path sharedDir;
    static int sharedPort;
    static Sample running;
    static final List<Process> started = new ArrayList<>();

    /** A launched jar: its process and the files its stdout and stderr go to. */
    record Sample(Process process, Path out, Path err) {
        String stdout() throws IOException {
            return Files.readString(out);
        }

        String stderr() throws IOException {
            return Files.readString(err);
        }
    }

    @BeforeAll
    static void startTheSharedSample() throws Exception {
        assertThat(JAR).as("built by `package`").isRegularFile();
        work = Files.createTempDirectory("sample-start-it");
        sharedDir = work.resolve("shared-data");
        sharedPort = freePort();
        running = launch("first", "--port", String.valueOf(sharedPort), "--data-dir", sharedDir.toString());
        awaitReady(running);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (Process p : started) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        // a test that failed half-way may leave the killed sample's PostgreSQL behind: stop it too
        postmasterOf(sharedDir).ifPresent(pm -> {
            pm.destroy();
            pm.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        });
        deleteTree(work);
    }

    @Test
    @Order(1)
    void helpListsEveryFlagAndVariableAndExitsZero() throws Exception {
        Sample help = launch("help", "--help");
        assertThat(help.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(help.process().exitValue()).isZero();
        assertThat(help.stdout()).contains("--port N", "--host ADDRESS", "--data-dir DIR", "--verbose", "--help",
                "PORT", "STYTCH_PROJECT_ID", "STYTCH_SECRET", "STYTCH_API_BASE_URL", "STYTCH_PUBLIC_TOKEN", "APP_BASE_URL",
                "DATABASE_URL", "DATABASE_USER", "DATABASE_PASSWORD", "delete it to start over");
        assertThat(help.stderr()).isEmpty();
    }

    @Test
    @Order(2)
    void unknownFlagExitsTwoWithTheUsage() throws Exception {
        Sample bad = launch("bad-flag", "--prot", "9090");
        assertThat(bad.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.process().exitValue()).isEqualTo(2);
        assertThat(bad.stderr()).startsWith("unknown argument [--prot]").contains("usage: java -jar");
        assertThat(bad.stdout()).isEmpty();
    }

    @Test
    @Order(3)
    void secondSampleOnTheSameDataDirSaysSoInOneLine() throws Exception {
        Sample second = launch("second", "--port", "0", "--data-dir", sharedDir.toString());
        assertThat(exitOf(second)).isNotZero();
        assertThat(second.stderr().lines()).containsExactly("another sample is already running with data dir "
                + sharedDir.toAbsolutePath() + " (stop it, or start this one with --data-dir OTHER_DIR)");
        assertThat(second.stdout()).isBlank();
        assertThat(running.process().isAlive()).as("the first sample runs on").isTrue();
    }

    @Test
    @Order(4)
    void busyPortSaysSoInOneLineAndSuggestsAnother() throws Exception {
        Sample clash = launch("busy-port", "--port", String.valueOf(sharedPort), "--data-dir", work.resolve("other-data").toString());
        assertThat(exitOf(clash)).isNotZero();
        assertThat(clash.stderr().lines()).containsExactly(
                "port " + sharedPort + " is in use on 127.0.0.1; start with --port N (or PORT=N)");
        assertThat(clash.stdout()).isBlank();
    }

    @Test
    @Order(5)
    void sampleKilledHardLeavesItsPostgresRunningAndTheNextStartStopsItThenCtrlCSaysStopped() throws Exception {
        assertThat(answers(sharedPort)).as("the shared sample serves before the kill").isTrue();
        running.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(running.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        ProcessHandle orphan = postmasterOf(sharedDir).orElseThrow(
                () -> new AssertionError("kill -9 left no PostgreSQL running: the case this test is about is gone"));

        Sample again = launch("after-kill", "--port", String.valueOf(sharedPort), "--data-dir", sharedDir.toString());
        awaitReady(again);
        assertThat(again.stdout()).contains("stopped the PostgreSQL (pid " + orphan.pid() + ")");
        assertThat(orphan.isAlive()).isFalse();
        assertThat(answers(sharedPort)).isTrue();

        again.process().destroy(); // SIGTERM, as Ctrl+C's SIGINT: the shutdown hook runs
        assertThat(again.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.stdout().strip()).endsWith("sample-webapp stopped.");
        assertThat(again.stderr()).doesNotContain("Exception");
        assertThat(postmasterOf(sharedDir)).as("PostgreSQL stopped with the sample").isEmpty();
    }

    private static Sample launch(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = work.resolve(name + ".out");
        Path err = work.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        // the embedded defaults, whatever the machine's environment says
        for (String var : List.of("PORT", "STYTCH_PROJECT_ID", "STYTCH_SECRET", "DATABASE_URL")) {
            builder.environment().remove(var);
        }
        Process process = builder.start();
        started.add(process);
        return new Sample(process, out, err);
    }

    private static void awaitReady(Sample sample) throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!sample.stdout().contains(READY)) {
            if (!sample.process().isAlive()) {
                throw new AssertionError("the sample exited with " + sample.process().exitValue() + ": " + sample.stderr());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the sample did not start in " + START_TIMEOUT + ": " + sample.stderr());
            }
            Thread.sleep(200);
        }
    }

    private static int exitOf(Sample sample) throws Exception {
        assertThat(sample.process().waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
        return sample.process().exitValue();
    }

    private static boolean answers(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return login.statusCode() == 200;
    }

    /** The live process named by the data dir's postmaster.pid, if any. */
    private static Optional<ProcessHandle> postmasterOf(Path dataDir) {
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory: best effort
        }
    }
}
