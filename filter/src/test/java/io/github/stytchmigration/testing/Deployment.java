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

    @Override
    void close() throws Exception;
}
