package io.github.stytchmigration.sample.testing;

import io.github.stytchmigration.sample.SampleLauncher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * ONE sample app per test JVM, started the way {@code java -jar} starts it (embedded PostgreSQL in a
 * temporary data directory, the emulator in-process, Jetty on port 0) and stopped at JVM exit.
 * Test classes share it, so each uses its own email addresses.
 */
public final class SharedSample {
    private static SampleLauncher sample;

    private SharedSample() {
    }

    public static synchronized SampleLauncher get() {
        if (sample == null) {
            try {
                Path data = Files.createTempDirectory("sample-webapp-test");
                sample = SampleLauncher.start(new SampleLauncher.Options()
                        .port(0)
                        .dataDir(data)
                        .env(Map.of()) // emulator and embedded PostgreSQL, whatever the machine's env says
                        .webappDir(Path.of("src/main/webapp")));
                SampleLauncher started = sample;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.close();
                    deleteTree(data);
                }, "sample-test-cleanup"));
            } catch (Exception e) {
                throw new IllegalStateException("the sample did not start", e);
            }
        }
        return sample;
    }

    /** {@code http://127.0.0.1:PORT}: the address the tests' cookies are scoped to. */
    public static String appBase() {
        return "http://127.0.0.1:" + get().port();
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory: best effort
        }
    }
}
