package io.github.stytchmigration.testing;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.nio.file.Path;

/** Jetty 12 (ee10) deploying an exploded webapp through its WEB-INF/web.xml; see {@link ServletContainer#JETTY}. */
final class JettyDeployment implements Deployment {
    private final Server server;
    private final int port;
    private final String contextPath;

    private JettyDeployment(Server server, int port, String contextPath) {
        this.server = server;
        this.port = port;
        this.contextPath = contextPath;
    }

    static JettyDeployment start(Path webappDir, String contextPath, boolean behindProxy) throws Exception {
        // new Server(): Jetty's default thread pool, which the concurrency tests count on
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        if (behindProxy) {
            http.addCustomizer(new ForwardedRequestCustomizer());
        }
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext(webappDir.toString(), contextPath);
        // the filter's classes come from the test class path, as if they were in WEB-INF/lib
        webapp.setParentLoaderPriority(true);
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        try {
            server.start();
        } catch (Exception | Error e) {
            server.stop();
            throw e;
        }
        return new JettyDeployment(server, connector.getLocalPort(), contextPath);
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
