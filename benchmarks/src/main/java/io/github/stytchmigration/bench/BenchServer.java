package io.github.stytchmigration.bench;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.EnumSet;

/** One Jetty 12 (ee10) server on 127.0.0.1 with several contexts that differ only in what the benchmark compares. */
final class BenchServer implements AutoCloseable {
    private final Server server;
    private final ContextHandlerCollection contexts = new ContextHandlerCollection();
    private ServerConnector connector;

    BenchServer() {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("bench-jetty");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(contexts);
    }

    /** Adds a context with sessions, the servlet on {@code /*}, and the filter (if any) on {@code /*} for REQUEST. */
    BenchServer context(String path, HttpServlet servlet, Filter filter) {
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath(path);
        context.addServlet(new ServletHolder(servlet), "/*");
        if (filter != null) {
            context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        contexts.addHandler(context);
        return this;
    }

    BenchServer start() throws Exception {
        server.start();
        return this;
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping Jetty", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop Jetty", e);
        }
    }
}
