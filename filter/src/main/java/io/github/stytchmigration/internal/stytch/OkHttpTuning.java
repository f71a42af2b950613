package io.github.stytchmigration.internal.stytch;

import com.stytch.java.consumer.StytchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.time.Duration;

/**
 * Tunes the OkHttp client the Stytch SDK builds for itself and does not expose (reached by reflection
 * once, at construction; if a future SDK changes its fields, this logs at WARN and the SDK's defaults stay).
 *
 * <ul>
 *   <li><b>Concurrency.</b> OkHttp's default dispatcher runs 5 requests per host: the 6th concurrent
 *       callback would wait in OkHttp's queue and, under load or a slow Stytch, time out as
 *       {@code stytch_unavailable} although Stytch is fine. The servlet container's threads (and the
 *       filter's bulkhead) are the real bound, so the dispatcher is raised to {@link #MAX_REQUESTS_PER_HOST}.</li>
 *   <li><b>Call timeout.</b> The SDK sets 120 s connect/read/write timeouts and no call timeout, and it
 *       does not cancel the HTTP call when our bounded wait gives up: a timed-out call would keep its
 *       dispatcher slot (and may still spend the one-time token) for up to 120 s. A call timeout ends
 *       every call at the filter's {@code stytchTimeoutMillis} plus a bounded window in which a late
 *       answer is still received (and its session revoked).</li>
 * </ul>
 */
final class OkHttpTuning {
    /** Concurrent Stytch calls per host: above a typical servlet pool's busy logins, below OkHttp's sanity. */
    static final int MAX_REQUESTS_PER_HOST = 64;
    private static final Logger LOG = LoggerFactory.getLogger(OkHttpTuning.class);

    private OkHttpTuning() {
    }

    /** Raises the dispatcher's limits and sets the call timeout; returns false (and logs) when it cannot. */
    static boolean tune(StytchClient client, int maxRequestsPerHost, Duration callTimeout) {
        try {
            Object sdkHttpClient = field(StytchClient.class, "httpClient").get(client);
            Field okHttpField = field(sdkHttpClient.getClass(), "client");
            Object okHttp = okHttpField.get(sdkHttpClient);
            Object dispatcher = okHttp.getClass().getMethod("dispatcher").invoke(okHttp);
            Class<?> type = dispatcher.getClass();
            int maxRequests = (int) type.getMethod("getMaxRequests").invoke(dispatcher);
            if (maxRequests < maxRequestsPerHost) {
                type.getMethod("setMaxRequests", int.class).invoke(dispatcher, maxRequestsPerHost);
            }
            type.getMethod("setMaxRequestsPerHost", int.class).invoke(dispatcher, maxRequestsPerHost);
            // OkHttpClient is immutable: a derived client shares the dispatcher and connection pool, so
            // the SDK's close() still shuts them down.
            Object builder = okHttp.getClass().getMethod("newBuilder").invoke(okHttp);
            builder.getClass().getMethod("callTimeout", Duration.class).invoke(builder, callTimeout);
            okHttpField.set(sdkHttpClient, builder.getClass().getMethod("build").invoke(builder));
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("Could not tune the Stytch SDK's OkHttp client ({}): concurrent callbacks beyond 5 will queue,"
                    + " and a timed-out call may run for up to the SDK's 120 s", e.toString());
            return false;
        }
    }

    /** The dispatcher's current per-host limit, for tests. */
    static int maxRequestsPerHost(StytchClient client) throws ReflectiveOperationException {
        Object okHttp = okHttp(client);
        Object dispatcher = okHttp.getClass().getMethod("dispatcher").invoke(okHttp);
        return (int) dispatcher.getClass().getMethod("getMaxRequestsPerHost").invoke(dispatcher);
    }

    /** The client's call timeout in ms (0: none), for tests. */
    static int callTimeoutMillis(StytchClient client) throws ReflectiveOperationException {
        Object okHttp = okHttp(client);
        return (int) okHttp.getClass().getMethod("callTimeoutMillis").invoke(okHttp);
    }

    private static Object okHttp(StytchClient client) throws ReflectiveOperationException {
        Object sdkHttpClient = field(StytchClient.class, "httpClient").get(client);
        return field(sdkHttpClient.getClass(), "client").get(sdkHttpClient);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
