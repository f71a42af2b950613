package io.github.stytchmigration.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The launcher's flags and the checks before a start, without starting anything. */
class StartChecksTest {
    @TempDir
    Path dir;

    @Test
    void flagsWinOverPortAndHelpAndVerboseAreFlags() {
        SampleLauncher.Options o = SampleLauncher.Options.fromEnvironment(
                new String[] {"--verbose", "--port", "9090", "--host", "0.0.0.0", "--data-dir", "x", "--help"},
                Map.of("PORT", "7070"));
        assertThat(o.port).isEqualTo(9090);
        assertThat(o.host).isEqualTo("0.0.0.0");
        assertThat(o.dataDir).isEqualTo(Path.of("x"));
        assertThat(o.verbose).isTrue();
        assertThat(o.help).isTrue();
        assertThat(SampleLauncher.Options.fromEnvironment(new String[0], Map.of("PORT", "7070")).port).isEqualTo(7070);
        assertThat(SampleLauncher.Options.fromEnvironment(new String[0], Map.of()).dataDir)
                .isEqualTo(Path.of(".sample-data"));
    }

    @Test
    void badFlagsNameTheProblem() {
        assertThatThrownBy(() -> SampleLauncher.Options.fromEnvironment(new String[] {"--port", "80x"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--port [80x] must be a port number 0..65535");
        assertThatThrownBy(() -> SampleLauncher.Options.fromEnvironment(new String[0], Map.of("PORT", "70000")))
                .hasMessage("PORT [70000] must be a port number 0..65535");
        assertThatThrownBy(() -> SampleLauncher.Options.fromEnvironment(new String[] {"--data-dir"}, Map.of()))
                .hasMessage("--data-dir needs a value");
        assertThatThrownBy(() -> SampleLauncher.Options.fromEnvironment(new String[] {"run"}, Map.of()))
                .hasMessage("unknown argument [run]");
    }

    @Test
    void secondOpenOfADataDirIsAnotherSample() {
        try (DataDir first = DataDir.open(dir)) {
            assertThat(first.postgres()).isEqualTo(dir.toAbsolutePath().resolve("postgres"));
            assertThatThrownBy(() -> DataDir.open(dir)).isInstanceOf(StartProblem.class)
                    .hasMessage("another sample is already running with data dir " + dir.toAbsolutePath()
                            + " (stop it, or start this one with --data-dir OTHER_DIR)");
        }
        DataDir.open(dir).close(); // released by close
    }

    @Test
    void postgresDirectoryGivenAsDataDirNamesTheParent() throws Exception {
        Path pg = Files.createDirectories(dir.resolve("postgres"));
        Files.writeString(pg.resolve("PG_VERSION"), "18\n");
        assertThatThrownBy(() -> DataDir.open(pg)).isInstanceOf(StartProblem.class)
                .hasMessage(pg.toAbsolutePath() + " is a PostgreSQL data directory; --data-dir names the directory"
                        + " that holds postgres/ and emulator/: start with --data-dir " + dir.toAbsolutePath());
    }

    @Test
    void busyPortIsOneLineSuggestingAnother() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> FreePort.require("127.0.0.1", port)).isInstanceOf(StartProblem.class)
                    .hasMessage("port " + port + " is in use on 127.0.0.1; start with --port N (or PORT=N)");
        }
        FreePort.require("127.0.0.1", 0); // any free port: nothing to check
    }

    @Test
    void bindFailureDeepInAStartIsExplainedAsTheBusyPort() {
        SampleLauncher.Options options = new SampleLauncher.Options().port(8080);
        Exception jetty = new java.io.IOException("Failed to bind to /127.0.0.1:8080",
                new java.net.BindException("Address already in use"));
        assertThat(StartProblem.explain(new IllegalStateException(jetty), options))
                .isEqualTo("port 8080 is in use on 127.0.0.1; start with --port N (or PORT=N)");
        assertThat(StartProblem.explain(new IllegalStateException("boom"), options))
                .isEqualTo("sample-webapp did not start: boom (--verbose shows the details)");
    }

    @Test
    void noPidFileMeansNoLeftoverPostgres() {
        assertThat(LeftoverPostgres.stopIfAny(dir)).isEmpty();
    }
}
