package io.github.stytchmigration.testing;

import org.apache.catalina.LifecycleState;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded Tomcat 10.1 on 127.0.0.1 with naming (JNDI) enabled as in a standalone Tomcat, into which
 * exploded webapps are deployed and undeployed one {@link Webapp} at a time: each through its
 * WEB-INF/web.xml, its META-INF/context.xml when present, and its own webapp class loader (WEB-INF/lib
 * first). No conf/web.xml defaults (no default or JSP servlet): the {@link AppServlet} serves every path.
 */
public final class TomcatServer implements AutoCloseable {
    private final Tomcat tomcat;

    private TomcatServer(Tomcat tomcat) {
        this.tomcat = tomcat;
    }

    /** Starts Tomcat with no webapp; {@code baseDir} holds its work files. */
    public static TomcatServer start(Path baseDir) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.getHost().setAutoDeploy(false);
        // No background processing (session expiry, reloading: nothing these tests need). Its thread binds a
        // webapp's class loader and then waits on that context's monitor, which an undeploy from a test thread
        // holds for its whole stop; Tomcat's leak check then reports "started a thread named
        // [Catalina-utility-N] but has failed to stop it" for its own thread. A standalone Tomcat's
        // automatic undeploys run on that very thread (HostConfig), so they never meet this.
        tomcat.getEngine().setBackgroundProcessorDelay(-1);
        tomcat.enableNaming();
        tomcat.start();
        return new TomcatServer(tomcat);
    }

    /**
     * A Tomcat of its own for one webapp (work files in a sibling of {@code webappDir}); closing the
     * deployment stops that Tomcat. {@link ServletContainer#TOMCAT}.
     */
    static Deployment startWith(Path webappDir, String contextPath) throws Exception {
        TomcatServer server = start(webappDir.resolveSibling(webappDir.getFileName() + "-tomcat"));
        try {
            return new Alone(server, server.deploy(webappDir, contextPath));
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    public int port() {
        return tomcat.getConnector().getLocalPort();
    }

    /** Deploys and starts {@code webappDir} at {@code contextPath}; fails when the webapp does not start. */
    public Webapp deploy(Path webappDir, String contextPath) throws MalformedURLException {
        StandardContext context = new StandardContext();
        context.setName(contextPath);
        context.setPath(contextPath);
        context.setDocBase(webappDir.toAbsolutePath().toString());
        // a Tomcat deploying a directory reads its META-INF/context.xml; embedded Tomcat must be told
        Path contextXml = webappDir.resolve("META-INF/context.xml");
        if (Files.exists(contextXml)) {
            context.setConfigFile(contextXml.toUri().toURL());
        }
        ContextConfig config = new ContextConfig();
        config.setDefaultWebXml(Constants.NoDefaultWebXml);
        context.addLifecycleListener(config);
        // the test class path is large and WEB-INF/lib holds no web fragments or TLDs: scan nothing
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        scanner.setScanManifest(false);
        scanner.setJarScanFilter((type, name) -> false);
        context.setJarScanner(scanner);
        tomcat.getHost().addChild(context);
        if (context.getState() != LifecycleState.STARTED) {
            LifecycleState failed = context.getState();
            tomcat.getHost().removeChild(context);
            throw new IllegalStateException("webapp " + contextPath + " failed to start: " + failed);
        }
        return new Webapp(context);
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }

    /** One deployed webapp; {@link #close()} undeploys it and leaves Tomcat running. */
    public final class Webapp implements Deployment {
        private final StandardContext context;

        private Webapp(StandardContext context) {
            this.context = context;
        }

        /** The webapp's own class loader (WEB-INF/classes and WEB-INF/lib, then the parent). */
        public ClassLoader classLoader() {
            return context.getLoader().getClassLoader();
        }

        @Override
        public int port() {
            return TomcatServer.this.port();
        }

        @Override
        public String contextPath() {
            return context.getPath();
        }

        /** The webapp's own {@code java:comp} context is bound to the calling thread for the lookup only. */
        @Override
        public Object lookup(String name) throws javax.naming.NamingException {
            ClassLoader previous = context.bind(false, null);
            try {
                return new javax.naming.InitialContext().lookup(name);
            } finally {
                context.unbind(false, previous);
            }
        }

        @Override
        public void close() {
            tomcat.getHost().removeChild(context);
            LifecycleState state = context.getState();
            if (state != LifecycleState.DESTROYED && state != LifecycleState.STOPPED) {
                throw new IllegalStateException("webapp " + context.getPath() + " did not stop: " + state);
            }
        }
    }

    /** A Tomcat started for one webapp: closing it stops Tomcat, and the webapp with it. */
    private record Alone(TomcatServer server, Webapp webapp) implements Deployment {
        @Override
        public int port() {
            return webapp.port();
        }

        @Override
        public String contextPath() {
            return webapp.contextPath();
        }

        @Override
        public Object lookup(String name) throws Exception {
            return webapp.lookup(name);
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }
}
