package io.github.stytchmigration.e2e;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.nio.file.Path;

/** Jetty 12 (ee10) deploying an exploded webapp through its WEB-INF/web.xml. */
final class JettyDeployment implements Deployment {
    private final Server server;
    private final String appUrl;

    private JettyDeployment(Server server, String appUrl) {
        this.server = server;
        this.appUrl = appUrl;
    }

    static JettyDeployment start(Path webappDir, String contextPath) throws Exception {
        Server server = new Server();
        // behind a TLS-terminating proxy: X-Forwarded-Proto: https makes the request secure
        HttpConfiguration http = new HttpConfiguration();
        http.addCustomizer(new ForwardedRequestCustomizer());
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext(webappDir.toString(), contextPath);
        // the filter's classes come from the test class path, as if they were in WEB-INF/lib
        webapp.setParentLoaderPriority(true);
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        server.start();
        return new JettyDeployment(server, "http://127.0.0.1:" + connector.getLocalPort() + contextPath);
    }

    @Override
    public String appUrl() {
        return appUrl;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
