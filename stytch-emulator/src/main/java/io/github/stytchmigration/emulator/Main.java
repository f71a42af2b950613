package io.github.stytchmigration.emulator;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** {@code java -jar stytch-emulator.jar [--port N] [--project-id ID] [--secret S] [--data-dir DIR]}. */
public final class Main {

    private static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar stytch-emulator.jar [--port N] [--project-id ID] [--secret S] [--data-dir DIR]",
            "  --port N          port on 127.0.0.1 (default 0: any free port)",
            "  --project-id ID   project id (default " + StytchEmulator.DEFAULT_PROJECT_ID + ")",
            "  --secret S        secret (default " + StytchEmulator.DEFAULT_SECRET + ")",
            "  --data-dir DIR    keep users, sessions, tokens, the outbox and the signing keys in DIR",
            "                    across restarts (default: in memory only)",
            "  --help            print this help");

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        StytchEmulator.Builder builder = StytchEmulator.builder();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    case "--port" -> builder.port(Integer.parseInt(value(args, ++i)));
                    case "--project-id" -> builder.projectId(value(args, ++i));
                    case "--secret" -> builder.secret(value(args, ++i));
                    case "--data-dir" -> builder.dataDir(dataDir(value(args, ++i)));
                    default -> throw new IllegalArgumentException("unknown argument [" + args[i] + "]");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        StytchEmulator emulator;
        try {
            emulator = builder.start();
        } catch (RuntimeException e) {
            System.err.println("Stytch emulator could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "stytch-emulator-shutdown"));
        System.out.println("Stytch emulator listening on " + emulator.baseUrl());
        System.out.println(emulator.dataDir().map(dir -> "State is kept in " + dir)
                .orElse("State is in memory only and ends with this process (keep it with --data-dir DIR)"));
        System.out.flush();
        // The server's threads are daemons: keep the JVM alive until it is killed.
        Thread.currentThread().join();
    }

    private static Path dataDir(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("--data-dir must not be blank");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("--data-dir [" + value + "] is not a valid path");
        }
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException("missing value for [" + args[index - 1] + "]");
        }
        return args[index];
    }
}
