package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the shaded jar as its own process, as a developer would (needs {@code package} first). */
class EmulatorJarIT {

    @Test
    void runnableJarStartsQuicklyPrintsItsUrlAndAnswers() throws Exception {
        Path jar = Path.of("target", "stytch-emulator.jar");
        assertThat(jar).exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long start = System.nanoTime();
        Process process = new ProcessBuilder(java, "-jar", jar.toString(), "--port", "0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(line).matches("Stytch emulator listening on http://127\\.0\\.0\\.1:[0-9]+");
            // a figure, not an assertion: start-up time belongs to benchmarks, not to a test on a shared machine
            System.out.println("emulator jar printed its URL after " + millis + " ms");

            String baseUrl = line.substring("Stytch emulator listening on ".length());
            HttpResponse<String> jwks = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    baseUrl + "/v1/sessions/jwks/" + StytchEmulator.DEFAULT_PROJECT_ID)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(jwks.statusCode()).isEqualTo(200);
            assertThat(jwks.body()).contains("\"keys\"");
        } finally {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void badArgumentsPrintUsageAndExitWithTwo() throws Exception {
        Path jar = Path.of("target", "stytch-emulator.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-jar", jar.toString(), "--bogus").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output).contains("Usage:");
        assertThat(Files.exists(jar)).isTrue();
    }
}
