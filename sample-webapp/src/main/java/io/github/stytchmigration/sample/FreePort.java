package io.github.stytchmigration.sample;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Tells a busy port before the database and the emulator spend seconds starting. */
final class FreePort {
    private FreePort() {
    }

    /** A {@link StartProblem} when {@code host:port} cannot be bound; port 0 always can. */
    static void require(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as Jetty's connector does: a port in TIME_WAIT is free
            socket.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw StartProblem.portInUse(host, port, e);
        } catch (IOException e) {
            // e.g. an unknown host: Jetty's start reports it
        }
    }
}
