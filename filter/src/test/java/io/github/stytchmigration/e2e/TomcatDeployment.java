package io.github.stytchmigration.e2e;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Embedded Tomcat 10.1 deploying an exploded webapp through its WEB-INF/web.xml and
 * META-INF/context.xml (JNDI DataSource), with naming enabled as in a standalone Tomcat.
 */
final class TomcatDeployment implements Deployment {
    private final Tomcat tomcat;
    private final String appUrl;

    private TomcatDeployment(Tomcat tomcat, String appUrl) {
        this.tomcat = tomcat;
        this.appUrl = appUrl;
    }

    static TomcatDeployment start(Path webappDir, String contextPath, Path baseDir) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.enableNaming();
        Context context = tomcat.addWebapp(contextPath, webappDir.toAbsolutePath().toString());
        Path contextXml = webappDir.resolve("META-INF/context.xml");
        if (Files.exists(contextXml)) {
            context.setConfigFile(contextXml.toUri().toURL());
        }
        // the test class path is large and holds no web fragments: skip scanning it
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        scanner.setScanManifest(false);
        context.setJarScanner(scanner);
        tomcat.start();
        if (context.getState() != LifecycleState.STARTED) {
            tomcat.stop();
            tomcat.destroy();
            throw new IllegalStateException("webapp " + contextPath + " failed to start: " + context.getState());
        }
        return new TomcatDeployment(tomcat, "http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + contextPath);
    }

    @Override
    public String appUrl() {
        return appUrl;
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
