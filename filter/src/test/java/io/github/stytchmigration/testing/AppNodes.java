package io.github.stytchmigration.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several {@link AppNode}s serving the same webapp, as several app servers behind a load balancer, and
 * the balancer: {@link #nextUrl()} hands out their URLs round-robin.
 *
 * <pre>{@code
 * try (AppNodes nodes = AppNodes.start(3, webappDir, "/app")) {
 *     new Browser().callback(nodes.nextUrl() + "/authenticate", "magic_links", token);
 * }
 * }</pre>
 */
public final class AppNodes implements AutoCloseable {
    private final List<AppNode> nodes;
    private final AtomicInteger next = new AtomicInteger();

    private AppNodes(List<AppNode> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Starts {@code count} nodes at once (each JVM starts in parallel); returns when all serve. */
    public static AppNodes start(int count, Path webappDir, String contextPath) throws Exception {
        ExecutorService starter = Executors.newFixedThreadPool(count);
        List<Future<AppNode>> starting = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                starting.add(starter.submit(() -> AppNode.start(webappDir, contextPath)));
            }
            List<AppNode> started = new ArrayList<>();
            Exception failure = null;
            for (Future<AppNode> f : starting) {
                try {
                    started.add(f.get());
                } catch (ExecutionException e) {
                    failure = failure == null ? (e.getCause() instanceof Exception c ? c : e) : failure;
                }
            }
            if (failure != null) {
                new AppNodes(started).close();
                throw failure;
            }
            return new AppNodes(started);
        } finally {
            starter.shutdownNow();
        }
    }

    public List<AppNode> nodes() {
        return nodes;
    }

    public AppNode node(int index) {
        return nodes.get(index);
    }

    public int size() {
        return nodes.size();
    }

    /** The app URL of the next node, round-robin, as a load balancer without sticky sessions spreads requests. */
    public String nextUrl() {
        return nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size())).appUrl();
    }

    /** Stops every node; each gets its own chance to stop cleanly. */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (AppNode node : nodes) {
            try {
                node.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
