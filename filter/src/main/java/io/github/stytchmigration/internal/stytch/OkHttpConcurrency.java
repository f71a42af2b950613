package io.github.stytchmigration.internal.stytch;

import com.stytch.java.consumer.StytchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Lifts OkHttp's default dispatcher limit of 5 concurrent requests per host inside the SDK's client.
 *
 * <p>Why: the SDK sends every call through {@code enqueue} on an OkHttp client it builds itself and
 * does not expose. With OkHttp's defaults, a filter could authenticate only 5 callbacks with Stytch at
 * a time; the 6th waits in OkHttp's queue and, under load or a slow Stytch, times out as
 * {@code stytch_unavailable} although Stytch is fine. The servlet container's thread pool is the real
 * bound on concurrent logins, so the dispatcher should not be a tighter one.
 *
 * <p>The SDK keeps its {@code OkHttpClient} in a private field; it is reached by reflection once, at
 * construction. If a future SDK changes that, this logs at WARN and the SDK's defaults stay.
 */
final class OkHttpConcurrency {
    /** Concurrent Stytch calls per host: above a typical servlet pool's busy logins, below OkHttp's sanity. */
    static final int MAX_REQUESTS_PER_HOST = 64;
    private static final Logger LOG = LoggerFactory.getLogger(OkHttpConcurrency.class);

    private OkHttpConcurrency() {
    }

    /** Raises the limits of the client's dispatcher; returns false (and logs) when it cannot. */
    static boolean raise(StytchClient client, int maxRequestsPerHost) {
        try {
            Object dispatcher = dispatcher(client);
            Class<?> type = dispatcher.getClass();
            int maxRequests = (int) type.getMethod("getMaxRequests").invoke(dispatcher);
            if (maxRequests < maxRequestsPerHost) {
                type.getMethod("setMaxRequests", int.class).invoke(dispatcher, maxRequestsPerHost);
            }
            type.getMethod("setMaxRequestsPerHost", int.class).invoke(dispatcher, maxRequestsPerHost);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("Could not raise the Stytch SDK's OkHttp limit of 5 concurrent requests "
                    + "per host ({}); concurrent callbacks beyond 5 will queue", e.toString());
            return false;
        }
    }

    /** The dispatcher's current per-host limit, for tests. */
    static int maxRequestsPerHost(StytchClient client) throws ReflectiveOperationException {
        Object dispatcher = dispatcher(client);
        return (int) dispatcher.getClass().getMethod("getMaxRequestsPerHost").invoke(dispatcher);
    }

    private static Object dispatcher(StytchClient client) throws ReflectiveOperationException {
        Field field = StytchClient.class.getDeclaredField("httpClient");
        field.setAccessible(true);
        Object sdkHttpClient = field.get(client);
        Field okHttp = sdkHttpClient.getClass().getDeclaredField("client");
        okHttp.setAccessible(true);
        Object okHttpClient = okHttp.get(sdkHttpClient);
        Method dispatcher = okHttpClient.getClass().getMethod("dispatcher");
        return dispatcher.invoke(okHttpClient);
    }
}
