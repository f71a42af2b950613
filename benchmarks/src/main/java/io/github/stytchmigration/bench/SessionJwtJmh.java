package io.github.stytchmigration.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JMH: the filter's local verification of a session JWT it has never seen (the first request of a new
 * Stytch session: header, key by kid, RS256 signature, claims), and of one it has (the steady state: a
 * cache lookup and the time checks). No network: the JWKS is in memory, parsed once. The JWTs are the
 * emulator's, written by measurement 7 to the file named by {@code -Dbench.sessionJwts}: project id, API base
 * URL, the clock to verify at (epoch seconds), the JWKS, then one JWT per line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SessionJwtJmh {
    static final String FILE = "bench.sessionJwts";

    private String projectId;
    private String baseUrl;
    private Instant now;
    private FilterFactory.Keys keys;
    private String[] jwts;
    private int next;
    private FilterFactory.Verifier warm;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty(FILE)));
        projectId = lines.get(0);
        baseUrl = lines.get(1);
        now = Instant.ofEpochSecond(Long.parseLong(lines.get(2)));
        keys = FilterFactory.keys(lines.get(3));
        jwts = lines.subList(4, lines.size()).toArray(new String[0]);
        warm = FilterFactory.freshVerifier(projectId, baseUrl, keys, now);
        for (String jwt : jwts) {
            if (!FilterFactory.freshVerifier(projectId, baseUrl, keys, now).valid(jwt) || !warm.valid(jwt)) {
                throw new IllegalStateException("a benchmark JWT does not verify");
            }
        }
    }

    /** A new verifier (empty cache) per JWT: every verification is a first one, keys already fetched. */
    @Benchmark
    public boolean firstRequestOfANewSession() {
        String jwt = jwts[next++ % jwts.length];
        return FilterFactory.freshVerifier(projectId, baseUrl, keys, now).valid(jwt);
    }

    /** The same JWTs again through one verifier: the cached path of every later request. */
    @Benchmark
    public boolean repeatedJwt() {
        return warm.valid(jwts[next++ % jwts.length]);
    }
}
