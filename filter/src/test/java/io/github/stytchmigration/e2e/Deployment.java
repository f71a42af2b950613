package io.github.stytchmigration.e2e;

/** A running servlet container with one webapp at {@link #appUrl()}. */
interface Deployment extends AutoCloseable {
    /** e.g. {@code http://127.0.0.1:PORT/app} — no trailing slash. */
    String appUrl();

    @Override
    void close() throws Exception;
}
