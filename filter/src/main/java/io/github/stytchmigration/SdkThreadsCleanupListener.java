package io.github.stytchmigration;

import io.github.stytchmigration.internal.stytch.SdkStytchAuthenticator;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Ends the threads the Stytch SDK's libraries share (kotlinx-coroutines, OkHttp's task runner, Okio's
 * watchdog) at undeploy, for a webapp that also makes its own Stytch calls.
 *
 * <p>{@link MigrationFilter#destroy()} ends those threads itself when the SDK sits in the webapp's own
 * {@code WEB-INF/lib} and nothing else uses it. An app with its own {@code StytchClient} (TOTP
 * re-enrollment, session revocation) usually closes it in {@code contextDestroyed()}, which the
 * container calls after every filter's {@code destroy()}: the filter must not stop threads that client
 * still uses, so it leaves them. Declared as the <em>first</em> {@code <listener>} in {@code web.xml},
 * this listener is destroyed <em>last</em> (the servlet spec calls {@code contextDestroyed} in reverse
 * order), after the app has closed its client, and does the cleanup then:
 *
 * <pre>{@code
 * <listener>
 *     <listener-class>io.github.stytchmigration.SdkThreadsCleanupListener</listener-class>
 * </listener>
 * <listener>
 *     <listener-class>com.example.MyAppListener</listener-class>   <!-- closes the app's StytchClient -->
 * </listener>
 * }</pre>
 *
 * It does nothing when the SDK is shared through the container's class path instead of
 * {@code WEB-INF/lib}, and logs a WARN when a coroutine of the webapp is still pending at that point
 * (a {@code StytchClient} left open).
 */
public class SdkThreadsCleanupListener implements ServletContextListener {
    @Override
    public void contextInitialized(ServletContextEvent event) {
        SdkStytchAuthenticator.cleanupListenerDeclared();
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        SdkStytchAuthenticator.releaseSharedThreads();
    }
}
