package io.github.stytchmigration.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app server in a JVM of its own ({@link AppNodeMain}, started from this JVM's class path): what a
 * second or third server of a deployment is to the first. It shares nothing with this JVM or another
 * node but the database and Stytch it reaches over the network: its own Jetty, its own
 * {@code MigrationFilter}, its own HikariCP pool, its own HttpSessions. See {@link ServletContainer#JETTY_OWN_JVM}.
 *
 * <p>Its output goes to {@code target/app-nodes/app-node-N.log} (relative to the working directory, the
 * module under Maven) and stays there after the test, for a failure's post-mortem; {@link #log()} reads it.
 */
public final class AppNode implements Deployment {
    /** How long a node may take to start: a JVM, Jetty, the filter's init with its schema check. */
    private static final long START_TIMEOUT_MILLIS = 90_000;
    /** How long a node may take to stop once its standard input ended, before it is killed. */
    private static final long STOP_TIMEOUT_MILLIS = 15_000;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Process process;
    private final Path logFile;
    private final int port;
    private final String contextPath;

    private AppNode(Process process, Path logFile, int port, String contextPath) {
        this.process = process;
        this.logFile = logFile;
        this.port = port;
        this.contextPath = contextPath;
    }

    /** Starts a node that deploys {@code webappDir} at {@code contextPath}; returns once it serves. */
    public static AppNode start(Path webappDir, String contextPath) throws IOException, InterruptedException {
        Path logDir = Files.createDirectories(Path.of("target", "app-nodes"));
        Path logFile = logDir.resolve("app-node-" + COUNTER.incrementAndGet() + "-" + ProcessHandle.current().pid() + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // several nodes share two cores with the test JVM and the database: small heaps, and the
                // quick JIT tier, since a node lives for seconds, not hours
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                // Surefire and Failsafe put the whole test class path here, even with a manifest-only booter jar
                "-cp", System.getProperty("java.class.path"),
                AppNodeMain.class.getName(), webappDir.toAbsolutePath().toString(), contextPath));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
        try {
            String url = awaitReady(process, logFile);
            int port = Integer.parseInt(url.replaceFirst("^http://127\\.0\\.0\\.1:(\\d+).*$", "$1"));
            return new AppNode(process, logFile, port, contextPath);
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Waits for {@link AppNodeMain#READY} in the log; fails with the log's tail when the node exits or takes too long. */
    private static String awaitReady(Process process, Path logFile) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
                if (line.startsWith(AppNodeMain.READY)) {
                    return line.substring(AppNodeMain.READY.length()).trim();
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("app node exited with " + process.exitValue() + " before serving; "
                        + logFile + ":\n" + tail(logFile));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("app node did not serve within " + START_TIMEOUT_MILLIS + " ms; " + logFile
                + ":\n" + tail(logFile));
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String contextPath() {
        return contextPath;
    }

    /** The node's process id, for messages. */
    public long pid() {
        return process.pid();
    }

    /** Everything the node printed so far: Jetty's and the filter's log lines. */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where {@link #log()} reads from. */
    public Path logFile() {
        return logFile;
    }

    /**
     * Ends the node's standard input, so it stops Jetty (the filter closes its pool) and exits; kills it
     * when it has not exited after {@value #STOP_TIMEOUT_MILLIS} ms.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the node is gone already
        }
        if (!process.waitFor(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public String toString() {
        return "AppNode[pid " + process.pid() + ", " + appUrl() + "]";
    }
}
