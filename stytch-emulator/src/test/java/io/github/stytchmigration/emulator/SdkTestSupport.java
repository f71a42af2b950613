package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stytch.java.common.ErrorResponse;
import com.stytch.java.common.StytchException;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.StytchClient;
import com.stytch.java.common.OptionalClientConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/** One emulator and one real Stytch SDK client per test class; state is reset before each test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SdkTestSupport {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    protected StytchEmulator emulator;
    protected StytchClient client;

    @BeforeAll
    void startEmulatorAndClient() {
        emulator = StytchEmulator.start();
        client = new StytchClient(emulator.projectId(), emulator.secret(), new OptionalClientConfig(emulator.baseUrl()));
    }

    @AfterAll
    void stopEmulatorAndClient() {
        if (client != null) {
            client.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    @BeforeEach
    void resetEmulator() {
        emulator.reset();
    }

    /** An emulator-only call: {@code method} on {@code path} with a JSON body (or none); answers status and body. */
    HttpResponse<String> http(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The JSON body of an emulator-only call that must answer 200. */
    JsonNode httpOk(String method, String path, String json) {
        HttpResponse<String> response = http(method, path, json);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static <T> StytchResult<T> await(CompletableFuture<StytchResult<T>> future) {
        try {
            return future.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("SDK call did not complete", e);
        }
    }

    /** The value of a successful SDK call; fails with the error otherwise. */
    static <T> T success(CompletableFuture<StytchResult<T>> future) {
        StytchResult<T> result = await(future);
        if (result instanceof StytchResult.Error error) {
            throw new AssertionError("expected success, got " + error.getException(), error.getException());
        }
        return ((StytchResult.Success<T>) result).getValue();
    }

    /** The Stytch error body of a call that failed with {@code StytchException.Response}. */
    static <T> ErrorResponse responseError(CompletableFuture<StytchResult<T>> future) {
        StytchResult<T> result = await(future);
        assertThat(result).isInstanceOf(StytchResult.Error.class);
        StytchException exception = ((StytchResult.Error) result).getException();
        assertThat(exception).isInstanceOf(StytchException.Response.class);
        ErrorResponse reason = ((StytchException.Response) exception).getReason();
        assertThat(reason.getRequestId()).startsWith("request-id-test-");
        assertThat(reason.getErrorUrl()).isEqualTo("https://stytch.com/docs/api/errors/" + reason.getStatusCode());
        return reason;
    }

    /** The reason of a call that failed with {@code StytchException.Critical}. */
    static <T> Throwable criticalError(CompletableFuture<StytchResult<T>> future) {
        StytchResult<T> result = await(future);
        assertThat(result).isInstanceOf(StytchResult.Error.class);
        StytchException exception = ((StytchResult.Error) result).getException();
        assertThat(exception).isInstanceOf(StytchException.Critical.class);
        return ((StytchException.Critical) exception).getReason();
    }
}
