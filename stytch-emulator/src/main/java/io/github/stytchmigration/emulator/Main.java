package io.github.stytchmigration.emulator;

/** {@code java -jar stytch-emulator.jar [--port N] [--project-id ID] [--secret S]}. */
public final class Main {

    private static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar stytch-emulator.jar [--port N] [--project-id ID] [--secret S]",
            "  --port N          port on 127.0.0.1 (default 0: any free port)",
            "  --project-id ID   project id (default " + StytchEmulator.DEFAULT_PROJECT_ID + ")",
            "  --secret S        secret (default " + StytchEmulator.DEFAULT_SECRET + ")",
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
                    default -> throw new IllegalArgumentException("unknown argument [" + args[i] + "]");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        StytchEmulator emulator = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "stytch-emulator-shutdown"));
        System.out.println("Stytch emulator listening on " + emulator.baseUrl());
        System.out.flush();
        // The server's threads are daemons: keep the JVM alive until it is killed.
        Thread.currentThread().join();
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException("missing value for [" + args[index - 1] + "]");
        }
        return args[index];
    }
}
