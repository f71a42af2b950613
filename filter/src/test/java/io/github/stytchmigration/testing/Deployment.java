package io.github.stytchmigration.testing;

/** One webapp running in a servlet container on 127.0.0.1; closing it stops what {@link ServletContainer} started. */
public interface Deployment extends AutoCloseable {
    /** e.g. {@code http://127.0.0.1:PORT/app}, no trailing slash. */
    default String appUrl() {
        return "http://127.0.0.1:" + port() + contextPath();
    }

    /** The container's HTTP port, e.g. for {@link RawHttp}. */
    int port();

    /** e.g. {@code /app}. */
    String contextPath();

    /**
     * Looks {@code name} up (e.g. {@code java:comp/env/jdbc/users}) in the webapp's JNDI environment, as its own
     * code would, so that a test can use the very object the filter got; unsupported without container naming.
     */
    default Object lookup(String name) throws Exception {
        throw new UnsupportedOperationException("no JNDI environment in this container: " + name);
    }

    @Override
    void close() throws Exception;
}
