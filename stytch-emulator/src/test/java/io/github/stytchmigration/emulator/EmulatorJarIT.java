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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

            assertThat(out.readLine()).isEqualTo(
                    "State is in memory only and ends with this process (keep it with --data-dir DIR)");

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
    void dataDirKeepsUsersAndTheSigningKeyAcrossARestart(@TempDir Path dir) throws Exception {
        String userId;
        String jwks;
        Process first = start("--data-dir", dir.toString());
        try {
            String baseUrl = baseUrl(first, dir);
            HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/users"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"jar@example.com\"}")));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            userId = created.body().replaceAll(".*\"user_id\":\"([^\"]+)\".*", "$1");
            jwks = send(HttpRequest.newBuilder(URI.create(baseUrl + JWKS))).body();
        } finally {
            first.destroy();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        Process second = start("--data-dir", dir.toString());
        try {
            String baseUrl = baseUrl(second, dir);
            HttpResponse<String> got = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/users/" + userId)));
            assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
            assertThat(got.body()).contains("jar@example.com");
            String kids = "\"kid\":\"[^\"]+\"";
            assertThat(firstMatch(send(HttpRequest.newBuilder(URI.create(baseUrl + JWKS))).body(), kids))
                    .isEqualTo(firstMatch(jwks, kids));
        } finally {
            second.destroy();
            second.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void helpPrintsUsageAndExitsWithZero() throws Exception {
        Process process = new ProcessBuilder(java(), "-jar", JAR.toString(), "--help").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(0);
        assertThat(output).startsWith("Usage:").contains("--data-dir DIR");
    }

    private static final Path JAR = Path.of("target", "stytch-emulator.jar");
    private static final String JWKS = "/v1/sessions/jwks/" + StytchEmulator.DEFAULT_PROJECT_ID;

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Process start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString(), "--port", "0"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Reads the two start lines of an emulator started with {@code --data-dir dir}; answers its base URL. */
    private static String baseUrl(Process process, Path dir) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).startsWith("Stytch emulator listening on ");
        assertThat(out.readLine()).isEqualTo("State is kept in " + dir.toAbsolutePath().normalize());
        return line.substring("Stytch emulator listening on ".length());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        String credentials = StytchEmulator.DEFAULT_PROJECT_ID + ":" + StytchEmulator.DEFAULT_SECRET;
        return HttpClient.newHttpClient().send(request.header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        credentials.getBytes(StandardCharsets.ISO_8859_1))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String firstMatch(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group();
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
