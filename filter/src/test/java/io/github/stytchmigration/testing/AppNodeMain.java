package io.github.stytchmigration.testing;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One app server of a multi-node test, in a JVM of its own: deploys an exploded webapp (see
 * {@link WebApp#writeTo}) in Jetty through its {@code web.xml} ({@link ServletContainer#JETTY}), prints
 * {@value #READY}{@code URL}, and serves until its standard input ends; then it stops Jetty (the
 * filter's {@code destroy()} closes its pool) and exits. {@link AppNode} starts it.
 *
 * <p>{@code java -cp TEST_CLASS_PATH io.github.stytchmigration.testing.AppNodeMain WEBAPP_DIR CONTEXT_PATH}
 */
public final class AppNodeMain {
    /** The line that tells the starter the node serves, followed by its app URL. */
    public static final String READY = "App node listening on ";

    // a strong reference: JUL keeps loggers weakly, and a collected logger forgets its level
    private static final Logger FILTER_LOGGER = Logger.getLogger("io.github.stytchmigration");

    private AppNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        showFilterDebugLines();
        Deployment app = ServletContainer.JETTY.deploy(Path.of(args[0]), args[1]);
        System.out.println(READY + app.appUrl());
        // Standard input is a pipe from the test JVM: it ends when the test closes it, and also when
        // the test JVM dies, so a node never outlives its test.
        System.in.transferTo(OutputStream.nullOutputStream());
        app.close();
    }

    /** The store's DEBUG lines (lost races, re-reads, retries) are the evidence a multi-node test prints. */
    private static void showFilterDebugLines() {
        FILTER_LOGGER.setLevel(Level.FINE);
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.setLevel(Level.FINE);
        }
    }
}
