package io.github.stytchmigration.internal.stytch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * Stops the process-wide threads the SDK's libraries start, when, and only when, they belong to a web
 * application that is going away.
 *
 * <p>What {@code StytchClient.close()} leaves behind (measured with SDK 11.1.0, kotlinx-coroutines 1.8.0,
 * OkHttp 4.12.0, Okio 3.x; all daemon threads):
 * <ul>
 *   <li>{@code DefaultDispatcher-worker-N} (kotlinx {@code Dispatchers.Default/IO}): never exit while
 *       the pool is at or below its core size, i.e. they stay for the life of the class loader;</li>
 *   <li>{@code kotlinx.coroutines.DefaultExecutor}: parked until the SDK's 10-minute JWKS refresh
 *       {@code delay} would have fired; cancelling the job removes the task but does not wake the thread;</li>
 *   <li>{@code OkHttp TaskRunner}: exits after 60 s idle;</li>
 *   <li>{@code Okio Watchdog}: meant to exit after 60 s idle, but measured alive for minutes after the
 *       client closed (19 of 19 redeployed webapps pinned after 2 minutes); there is no API to stop it.</li>
 * </ul>
 * The non-daemon {@code OkHttp Dispatcher} threads are the client's own and stop in {@code close()}.
 *
 * <p>The lingering threads hold their context class loader. Inside a webapp whose {@code WEB-INF/lib}
 * carries the SDK, that is the webapp's loader: Tomcat warns about the threads on undeploy and the
 * worker threads pin every class of the old webapp across redeploys. {@code Dispatchers.shutdown()} and
 * OkHttp's {@code TaskRunner} shutdown are global to the class loader that loaded those libraries and
 * cannot be undone, so they run only when all of these hold:
 * <ol>
 *   <li>the last open {@link SdkStytchAuthenticator} of this class loader is closing;</li>
 *   <li>kotlinx-coroutines was loaded by the thread context class loader of the closing thread (the
 *       container sets it to the webapp's loader while it destroys filters): the libraries are the
 *       webapp's own, not shared with other webapps through a common/shared loader;</li>
 *   <li>that loader is neither the system nor the platform loader: a plain JVM (tests, {@code main},
 *       embedded Jetty/Tomcat with everything on the class path) is never touched.</li>
 *   <li>nothing else in that loader still has coroutine work pending: kotlinx's DefaultExecutor holds
 *       no delayed or queued task. An app that makes its own Stytch calls keeps its own
 *       {@code StytchClient}, whose JWKS refresh waits there until the app closes it, usually in a
 *       {@code contextDestroyed} that runs after every filter's {@code destroy()}. Shutting down then
 *       would fail half-way ({@code Dispatchers.shutdown()} throws on pending work after it has already
 *       disabled {@code delay} for everyone) and leave the threads running anyway. The filter backs off,
 *       and {@link #release()}, called by {@code SdkThreadsCleanupListener} after the app's own
 *       listeners, does the cleanup once the app has closed its client.</li>
 * </ol>
 * WARNING: in an application packaged as one fat jar with its own loader (e.g. Spring Boot), condition 2
 * holds for the whole application: closing the filter at shutdown then also stops coroutine
 * dispatchers for any other code of that application still running coroutines afterwards.
 *
 * <p>kotlinx-coroutines and OkHttp are runtime-scope dependencies of the SDK, so they are reached by
 * reflection; any failure is swallowed, since this is best-effort cleanup.
 */
final class SharedSdkThreads {
    private static final Logger LOG = LoggerFactory.getLogger(SharedSdkThreads.class);
    private static final AtomicInteger OPEN = new AtomicInteger();
    /** Set when {@code SdkThreadsCleanupListener} is declared: the filter then leaves pending work to it quietly. */
    private static volatile boolean listenerDeclared;

    private SharedSdkThreads() {
    }

    static void opened() {
        OPEN.incrementAndGet();
    }

    /**
     * Called after an authenticator closed its client.
     *
     * @return true when the shared threads were shut down
     */
    static boolean closed() {
        if (OPEN.decrementAndGet() != 0) {
            return false;
        }
        ClassLoader owner = Thread.currentThread().getContextClassLoader();
        if (!ownsLibraries(owner)) {
            return false;
        }
        if (coroutinesPending(owner)) {
            if (listenerDeclared) {
                LOG.debug("Leaving the Stytch SDK's shared threads to SdkThreadsCleanupListener:"
                        + " other coroutines of this webapp are still pending");
            } else {
                LOG.info("Left the Stytch SDK's shared threads (kotlinx-coroutines, OkHttp, Okio)"
                        + " running: other coroutines of this webapp are still pending, e.g. the app's own StytchClient."
                        + " Declare io.github.stytchmigration.SdkThreadsCleanupListener as the first <listener> in"
                        + " web.xml to end them after the app has closed its clients; otherwise the container may"
                        + " report them as leaks at undeploy.");
            }
            return false;
        }
        shutDown(owner);
        return true;
    }

    /** {@code SdkThreadsCleanupListener} is declared in this webapp. */
    static void listenerDeclared() {
        listenerDeclared = true;
    }

    /**
     * The same cleanup as the last {@link #closed()}, for {@code SdkThreadsCleanupListener} at the very end
     * of a webapp's shutdown, after the app has closed its own {@code StytchClient}.
     *
     * @return true when the shared threads were shut down
     */
    static boolean release() {
        ClassLoader owner = Thread.currentThread().getContextClassLoader();
        if (OPEN.get() != 0 || !ownsLibraries(owner)) {
            return false;
        }
        if (coroutinesPending(owner)) {
            LOG.warn("Could not end the Stytch SDK's shared threads: coroutines of this webapp are"
                    + " still pending at undeploy (or this kotlinx-coroutines version cannot be checked). Close every"
                    + " StytchClient the app opened in its own contextDestroyed(), and declare"
                    + " SdkThreadsCleanupListener before that listener.");
            return false;
        }
        shutDown(owner);
        return true;
    }

    /**
     * Whether kotlinx's DefaultExecutor of {@code loader} still holds a delayed or queued task, i.e. some
     * coroutine of that loader is waiting in {@code delay} or a timeout. True when it cannot tell (another
     * kotlinx version): shutting down under live coroutines breaks them, leaving threads only warns.
     */
    static boolean coroutinesPending(ClassLoader loader) {
        try {
            Class<?> defaultExecutor = Class.forName("kotlinx.coroutines.DefaultExecutor", true, loader);
            Object executor = defaultExecutor.getField("INSTANCE").get(null);
            Method isEmpty = Class.forName("kotlinx.coroutines.EventLoopImplBase", true, loader).getDeclaredMethod("isEmpty");
            isEmpty.setAccessible(true);
            return !((Boolean) isEmpty.invoke(executor));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("Cannot tell whether coroutines are pending (kotlinx-coroutines version?): {}", e.toString());
            return true;
        }
    }

    /** Whether kotlinx-coroutines was loaded by {@code owner}, and {@code owner} is an application's own loader. */
    static boolean ownsLibraries(ClassLoader owner) {
        if (owner == null || owner == ClassLoader.getSystemClassLoader()
                || owner == ClassLoader.getPlatformClassLoader()) {
            return false;
        }
        try {
            Class<?> dispatchers = Class.forName("kotlinx.coroutines.Dispatchers", false,
                    SharedSdkThreads.class.getClassLoader());
            return dispatchers.getClassLoader() == owner;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Wakes and stops kotlinx's DefaultExecutor, shuts down Dispatchers.Default/IO and OkHttp's TaskRunner. */
    private static void shutDown(ClassLoader loader) {
        try {
            // A no-op task wakes DefaultExecutor; with an empty queue it exits after its 1 s keep-alive
            // instead of sleeping out the JWKS refresh delay. Must run before Dispatchers.shutdown(),
            // after which DefaultExecutor rejects tasks.
            Class<?> defaultExecutor = Class.forName("kotlinx.coroutines.DefaultExecutor", true, loader);
            Object executor = defaultExecutor.getField("INSTANCE").get(null);
            Class<?> context = Class.forName("kotlin.coroutines.CoroutineContext", true, loader);
            Object empty = Class.forName("kotlin.coroutines.EmptyCoroutineContext", true, loader)
                    .getField("INSTANCE").get(null);
            Method dispatch = defaultExecutor.getMethod("dispatch", context, Runnable.class);
            Runnable noop = () -> { };
            dispatch.invoke(executor, empty, noop);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // best effort
        }
        try {
            Class<?> dispatchers = Class.forName("kotlinx.coroutines.Dispatchers", true, loader);
            dispatchers.getMethod("shutdown").invoke(dispatchers.getField("INSTANCE").get(null));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // best effort
        }
        try {
            Class<?> taskRunner = Class.forName("okhttp3.internal.concurrent.TaskRunner", true, loader);
            Object backend = taskRunner.getMethod("getBackend").invoke(taskRunner.getField("INSTANCE").get(null));
            backend.getClass().getMethod("shutdown").invoke(backend);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // best effort: only OkHttp's RealBackend has shutdown()
        }
        stopOkioWatchdog(loader);
        awaitDefaultExecutor(loader);
    }

    /**
     * Waits (at most 1.5 s) for kotlinx's DefaultExecutor, woken above, to end its 1 s keep-alive, so
     * that Tomcat's leak check right after {@code destroy()} finds no thread of this webapp.
     */
    private static void awaitDefaultExecutor(ClassLoader loader) {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("kotlinx.coroutines.DefaultExecutor") && thread.getContextClassLoader() == loader) {
                try {
                    thread.join(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Ends this loader's {@code Okio Watchdog}. Okio 3 keeps its timeout queue in static fields guarded by
     * a static lock; the watchdog loops until it finds the queue idle for 60 s, which did not happen after
     * the client closed. Clearing the queue's head under the lock and waking the watchdog makes its next
     * look at the queue fail, which ends the thread (its handler is muted first, so nothing is printed).
     * Should anything in this loader time a socket again, Okio starts a fresh queue and watchdog.
     */
    private static void stopOkioWatchdog(ClassLoader loader) {
        try {
            Class<?> asyncTimeout = Class.forName("okio.AsyncTimeout", false, loader);
            if (asyncTimeout.getClassLoader() != loader) {
                return;
            }
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getClass().getName().equals("okio.AsyncTimeout$Watchdog")
                        && thread.getClass().getClassLoader() == loader) {
                    thread.setUncaughtExceptionHandler((t, e) -> { });
                }
            }
            Lock lock = (Lock) staticField(asyncTimeout, "lock");
            Condition condition = (Condition) staticField(asyncTimeout, "condition");
            Field head = asyncTimeout.getDeclaredField("head");
            head.setAccessible(true);
            lock.lock();
            try {
                head.set(null, null);
                condition.signalAll();
            } finally {
                lock.unlock();
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // best effort: another Okio version keeps its queue differently
        }
    }

    private static Object staticField(Class<?> type, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(null);
    }
}
