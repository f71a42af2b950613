package io.github.stytchmigration.matrix;

import io.github.stytchmigration.testing.Deployment;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Jetty 12 deploying an exploded webapp through its WEB-INF/web.xml in any environment (ee8, ee10, ee11). The
 * environments' {@code WebAppContext} classes live in different packages and only one of them is on a cell's
 * class path, so they are reached by name; the Jetty core (Server, connector) is common to all.
 */
final class JettyEe implements Deployment {
    private final Server server;
    private final int port;
    private final String contextPath;

    private JettyEe(Server server, int port, String contextPath) {
        this.server = server;
        this.port = port;
        this.contextPath = contextPath;
    }

    static Deployment start(String ee, Path webappDir, String contextPath) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        Class<?> type = Class.forName("org.eclipse.jetty." + ee + ".webapp.WebAppContext");
        Object webapp = type.getConstructor(String.class, String.class).newInstance(webappDir.toString(), contextPath);
        // the filter of a thin-jar cell sits on the class path, as if in the server's lib/
        type.getMethod("setParentLoaderPriority", boolean.class).invoke(webapp, true);
        type.getMethod("setThrowUnavailableOnStartupException", boolean.class).invoke(webapp, true);
        // ee10/ee11 contexts are core handlers; an ee8 context is a nested one that supplies its core handler
        @SuppressWarnings("unchecked")
        Handler handler = webapp instanceof Handler h ? h : ((Supplier<Handler>) webapp).get();
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception | Error e) {
            server.stop();
            throw e;
        }
        return new JettyEe(server, connector.getLocalPort(), contextPath);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String contextPath() {
        return contextPath;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
