package io.github.stytchmigration.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.emulator.StytchEmulator;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.net.HttpURLConnection;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sessions made elsewhere ({@code sessionSources=cookie}): the frontend SDK's cookies on every request.
 * <ol>
 *   <li>Steady state: requests of an HttpSession already logged in with a valid session cookie, through Jetty
 *       with the filter, without any filter, and with a filter that calls the SDK's
 *       {@code sessions.authenticateJwt} on every request, in interleaved rounds (targets: ours/without
 *       {@code >= 0.90}, ours/SDK {@code >= 2}); and the Stytch calls they made (0).</li>
 *   <li>A new session's first JWT: the local verification in µs (JMH, and a timed loop over HTTP-fetched keys)
 *       and the Stytch calls for N never-seen JWTs once the keys are cached (target 0).</li>
 *   <li>Forged JWTs (another key with the emulator's kid) in the cookie: requests/s, all passed on not
 *       logged in, and the Stytch calls they caused (target 0).</li>
 * </ol>
 */
final class SessionSources implements Measurement {
    private static final String JWT_COOKIE = "stytch_session_jwt";
    private static final String TOKEN_COOKIE = "stytch_session";

    /** Clients, warm-up and round lengths, rounds, new JWTs timed in-process; JMH: fork, warm-ups, iterations, length. */
    private record Sizes(int clients, long warmMillis, long roundMillis, int rounds, int newJwts, boolean jmhFork,
                         int jmhWarmups, int jmhIterations, long jmhIterationMillis) {
        static final Sizes FULL = new Sizes(8, 3_000, 2_000, 7, 1_000, true, 3, 5, 1_000);
        static final Sizes SMOKE = new Sizes(4, 100, 150, 2, 20, false, 1, 1, 100);
    }

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        Sizes sizes = bench.mode().pick(Sizes.FULL, Sizes.SMOKE);
        StytchEmulator emulator = bench.emulator();
        FrontendSession session = emulator.startSessionForEmail("bench.sessions@example.com");
        try (HikariDataSource pool = Bench.pool(bench.database(), 4, "bench-sessions");
             SdkJwtFilter sdk = new SdkJwtFilter(emulator);
             BenchServer server = new BenchServer()
                     .context("/with", new BenchServlets.Hello(), FilterFactory.filter(emulator, pool, null,
                             b -> b.sessionSources("cookie")))
                     .context("/without", new BenchServlets.Hello(), null)
                     .context("/sdk", new BenchServlets.Hello(), sdk)
                     .start()) {
            steadyState(bench, report, sizes, server.port(), session);
            forged(bench, report, sizes, server.port(), session);
        }
        newJwts(bench, report, sizes, session);
        jmh(bench, report, sizes, session);
    }

    private static void steadyState(Bench bench, Report.Section report, Sizes sizes, int port, FrontendSession session)
            throws Exception {
        report.heading("session cookie, steady state: with the filter vs no filter vs authenticateJwt per request, "
                + sizes.clients() + " clients, " + sizes.rounds() + " interleaved rounds of " + sizes.roundMillis() + " ms");
        StytchEmulator emulator = bench.emulator();
        String jsessionId = login(port, session);
        long callsBefore = 0;
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> sdk = new ArrayList<>();
        List<Double> vsNone = new ArrayList<>();
        List<Double> vsSdk = new ArrayList<>();
        for (int r = -2; r < sizes.rounds(); r++) {
            // a JWT of the same session as the frontend SDK refreshes it: the filter verifies it once, then looks it up;
            // every context gets the same cookies, as a browser sends them whatever the server does with them
            String jwt = emulator.mintSessionJwt(session.sessionId(), Duration.ZERO);
            String ours = "Cookie: JSESSIONID=" + jsessionId + "; " + TOKEN_COOKIE + "=" + session.sessionToken() + "; "
                    + JWT_COOKIE + "=" + jwt + "\r\n";
            String theirs = "Cookie: " + JWT_COOKIE + "=" + jwt + "\r\n";
            long millis = r < 0 ? sizes.warmMillis() : sizes.roundMillis();
            if (r == 0) {
                // after the warm-up, which includes the SDK's own first JWKS fetch in the comparison filter
                callsBefore = stytchCalls(emulator, session);
            }
            double[] rps = new double[3];
            for (int k = 0; k < 3; k++) {
                int which = (k + Math.max(r, 0)) % 3; // rotate the order round by round
                rps[which] = which == 0 ? Load.throughput(port, "/with/account", ours, sizes.clients(), millis)
                        : which == 1 ? Load.throughput(port, "/without/account", ours, sizes.clients(), millis)
                        : Load.throughput(port, "/sdk/account", theirs, sizes.clients(), millis);
            }
            if (r >= 0) {
                with.add(rps[0]);
                without.add(rps[1]);
                sdk.add(rps[2]);
                vsNone.add(rps[0] / rps[1]);
                vsSdk.add(rps[0] / rps[2]);
            }
        }
        long calls = stytchCalls(emulator, session) - callsBefore;
        double ratio = Stats.median(vsNone);
        double speedup = Stats.median(vsSdk);
        report.figure("session_steady_rps_with", Stats.median(with), 0);
        report.figure("session_steady_rps_without", Stats.median(without), 0);
        report.figure("session_steady_rps_sdk_authenticate_jwt", Stats.median(sdk), 0);
        report.figure("session_steady_ratio", ratio, 3);
        report.figure("session_steady_vs_sdk", speedup, 2);
        report.figure("session_steady_stytch_calls", calls);
        report.row("session steady req/s, with filter", Stats.spread(with, "%.0f"));
        report.row("session steady req/s, no filter", Stats.spread(without, "%.0f"));
        report.row("session steady req/s, authenticateJwt per request", Stats.spread(sdk, "%.0f"));
        report.row("session steady ratio with/no filter", Stats.spread(vsNone, "%.3f"), ">= 0.90", ratio >= 0.90);
        report.row("session steady ratio ours/authenticateJwt", Stats.spread(vsSdk, "%.2f"), ">= 2", speedup >= 2);
        report.row("Stytch calls in the steady state", Long.toString(calls), "0", calls == 0);
        report.chart("Session cookie, steady state", "requests/s").addSeries("requests/s",
                List.of("no filter", "with filter", "authenticateJwt"),
                List.of((double) Math.round(Stats.median(without)), (double) Math.round(Stats.median(with)),
                        (double) Math.round(Stats.median(sdk))));
    }

    // The first request of the session: the filter logs it in (users.get, link-or-create) and rotates the id.
    private static String login(int port, FrontendSession session) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/with/account").openConnection();
        c.setRequestProperty("Cookie", TOKEN_COOKIE + "=" + session.sessionToken() + "; " + JWT_COOKIE + "=" + session.sessionJwt());
        int status = c.getResponseCode();
        String setCookie = c.getHeaderField("Set-Cookie");
        c.getInputStream().readAllBytes();
        if (status != 200 || setCookie == null || !setCookie.startsWith("JSESSIONID=")) {
            throw new IllegalStateException("the session login answered " + status + " without a session cookie");
        }
        return setCookie.substring("JSESSIONID=".length(), setCookie.indexOf(';'));
    }

    private static void forged(Bench bench, Report.Section report, Sizes sizes, int port, FrontendSession session)
            throws Exception {
        report.heading("forged session JWTs (another key, the emulator's kid) in the cookie");
        StytchEmulator emulator = bench.emulator();
        String forged = forge(emulator, session.sessionJwt());
        String header = "Cookie: " + JWT_COOKIE + "=" + forged + "\r\n";
        Load.throughput(port, "/with/account", header, sizes.clients(), sizes.warmMillis());
        long before = stytchCalls(emulator, session);
        double rps = Load.throughput(port, "/with/account", header, sizes.clients(), sizes.roundMillis() * 2);
        long calls = stytchCalls(emulator, session) - before;
        report.figure("forged_jwt_rps", rps, 0);
        report.figure("forged_jwt_stytch_calls", calls);
        report.row("forged JWT requests/s (passed on, not logged in)", String.format(Locale.ROOT, "%.0f", rps));
        report.row("Stytch calls for forged JWTs", Long.toString(calls), "0", calls == 0);
    }

    // The genuine JWT's header and claims, signed by a key of our own: only the signature is wrong.
    private static String forge(StytchEmulator emulator, String genuine) throws Exception {
        String[] parts = genuine.split("\\.");
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String kid = header.replaceAll(".*\"kid\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        RsaJsonWebKey impostor = RsaJwkGenerator.generateJwk(2048);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue(kid);
        jws.setKey(impostor.getPrivateKey());
        return jws.getCompactSerialization();
    }

    private static void newJwts(Bench bench, Report.Section report, Sizes sizes, FrontendSession session) {
        report.heading("a new session's first JWT: verified locally, " + sizes.newJwts() + " never-seen JWTs");
        StytchEmulator emulator = bench.emulator();
        List<String> jwts = distinctJwts(emulator, session, sizes.newJwts());
        FilterFactory.Verifier verifier = FilterFactory.verifier(emulator);
        if (!verifier.valid(emulator.mintSessionJwt(session.sessionId(), Duration.ZERO))) { // fetches the keys once
            throw new IllegalStateException("a genuine JWT did not verify");
        }
        long before = stytchCalls(emulator, session);
        long t0 = System.nanoTime();
        for (String jwt : jwts) {
            if (!verifier.valid(jwt)) {
                throw new IllegalStateException("a genuine JWT did not verify");
            }
        }
        double micros = (System.nanoTime() - t0) / 1e3 / jwts.size();
        long calls = stytchCalls(emulator, session) - before;
        report.figure("new_jwt_loop_us", micros, 1);
        report.figure("new_jwt_stytch_calls", calls);
        report.row("new session JWT, verified locally, µs (timed loop)", String.format(Locale.ROOT, "%.1f", micros));
        report.row("Stytch calls for " + jwts.size() + " new JWTs (keys cached)", Long.toString(calls), "0", calls == 0);
    }

    // Distinct texts of one live session: each iat (and exp) a second apart, all within the max age.
    private static List<String> distinctJwts(StytchEmulator emulator, FrontendSession session, int n) {
        Instant now = Instant.now();
        List<String> jwts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Instant iat = now.minusSeconds(i % 200);
            jwts.add(emulator.mintSessionJwt(session.sessionId(), iat, now.plusSeconds(60 + i)));
        }
        return jwts;
    }

    private static void jmh(Bench bench, Report.Section report, Sizes sizes, FrontendSession session) throws Exception {
        report.heading("JMH: verifying a never-seen session JWT vs a cached one (" + (sizes.jmhFork() ? "forked" : "in-process") + ")");
        StytchEmulator emulator = bench.emulator();
        Path file = Files.createTempFile("bench-session-jwts", ".txt");
        try {
            List<String> lines = new ArrayList<>();
            lines.add(emulator.projectId());
            lines.add(emulator.baseUrl());
            lines.add(Long.toString(Instant.now().getEpochSecond()));
            lines.add(HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create(emulator.baseUrl()
                    + "/v1/sessions/jwks/" + emulator.projectId())).build(), HttpResponse.BodyHandlers.ofString()).body());
            lines.addAll(distinctJwts(emulator, session, 256));
            Files.write(file, lines);
            System.setProperty(SessionJwtJmh.FILE, file.toString());
            Options options = new OptionsBuilder()
                    .include(SessionJwtJmh.class.getName() + "\\.")
                    .forks(sizes.jmhFork() ? 1 : 0)
                    .jvmArgsAppend("-D" + SessionJwtJmh.FILE + "=" + file, "-Xms256m", "-Xmx256m")
                    .warmupIterations(sizes.jmhWarmups())
                    .warmupTime(TimeValue.milliseconds(sizes.jmhIterationMillis()))
                    .measurementIterations(sizes.jmhIterations())
                    .measurementTime(TimeValue.milliseconds(sizes.jmhIterationMillis()))
                    .threads(1)
                    .shouldFailOnError(true)
                    .verbosity(VerboseMode.SILENT)
                    .build();
            Map<String, Double> scores = new LinkedHashMap<>();
            for (RunResult result : new Runner(options).run()) {
                String label = result.getParams().getBenchmark();
                scores.put(label.substring(label.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
            }
            double first = scores.getOrDefault("firstRequestOfANewSession", Double.NaN);
            double cached = scores.getOrDefault("repeatedJwt", Double.NaN);
            report.figure("jmh_new_jwt_us", first, 2);
            report.figure("jmh_cached_jwt_us", cached, 3);
            report.row("JMH new session JWT, local verification, µs/op", String.format(Locale.ROOT, "%.2f (cached: %.3f)", first, cached));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Calls of the session path: sessions.authenticate, users.get of this user, the JWKS. */
    private static long stytchCalls(StytchEmulator emulator, FrontendSession session) {
        return emulator.requestCount("/v1/sessions/authenticate") + emulator.requestCount("/v1/users/" + session.userId())
                + emulator.requestCount("/v1/sessions/jwks/" + emulator.projectId());
    }
}
