package io.github.stytchmigration.testing;

import java.nio.file.Path;

/** Starts a servlet container that deploys an exploded webapp (see {@link WebApp#writeTo}) at a context path. */
@FunctionalInterface
public interface ServletContainer {
    /** Jetty 12 (ee10) on a plain connector with its default thread pool (200 threads at most). */
    ServletContainer JETTY = (webappDir, contextPath) -> JettyDeployment.start(webappDir, contextPath, false);

    /**
     * Jetty 12 (ee10) behind a TLS-terminating proxy: {@code X-Forwarded-*} headers are honoured, so
     * {@code X-Forwarded-Proto: https} makes a request secure.
     */
    ServletContainer JETTY_BEHIND_PROXY = (webappDir, contextPath) -> JettyDeployment.start(webappDir, contextPath, true);

    /**
     * Jetty 12 (ee10) as {@link #JETTY}, in a JVM of its own ({@link AppNode}): one app server of several
     * sharing a database; closing the deployment stops that JVM.
     */
    ServletContainer JETTY_OWN_JVM = AppNode::start;

    /**
     * Tomcat 10.1 with JNDI enabled, honouring the webapp's META-INF/context.xml; one Tomcat per deployment.
     * A lambda, not a method reference: a reference would load TomcatServer (and Tomcat) as soon as this
     * interface is initialised, which fails on a class path with Jetty only (the container matrix's Jetty cells).
     */
    ServletContainer TOMCAT = (webappDir, contextPath) -> TomcatServer.startWith(webappDir, contextPath);

    Deployment deploy(Path webappDir, String contextPath) throws Exception;
}
