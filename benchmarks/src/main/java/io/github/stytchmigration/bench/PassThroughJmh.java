package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationFilter;
import io.github.stytchmigration.emulator.StytchEmulator;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Enumeration;
import java.util.concurrent.TimeUnit;

/**
 * JMH: the cost of {@link MigrationFilter#doFilter} on a request that is not a callback, against an
 * empty filter that only calls the chain. The filter is initialised for real (emulator, PostgreSQL
 * from {@code -Dbench.jdbcUrl}); the request is a wrapper whose only live methods are the two the
 * pass-through reads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PassThroughJmh {
    static final String JDBC_URL = "bench.jdbcUrl";
    static final String JDBC_USER = "bench.jdbcUser";
    static final String QUIET = "bench.quiet";

    private StytchEmulator emulator;
    private MigrationFilter migrationFilter;
    private Filter emptyFilter;
    private HttpServletRequest request;
    private HttpServletResponse response;
    private FilterChain chain;
    private Blackhole blackhole;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) throws ServletException {
        this.blackhole = bh;
        if (Boolean.getBoolean(QUIET)) {
            // a forked JMH JVM: keep Jetty's and the filter's INFO lines off the benchmark's output
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        }
        emulator = StytchEmulator.start();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(System.getProperty(JDBC_URL));
        ds.setUser(System.getProperty(JDBC_USER));
        migrationFilter = FilterFactory.filter(emulator, ds, null);
        migrationFilter.init(filterConfig());
        emptyFilter = (req, res, next) -> next.doFilter(req, res);

        HttpServletRequest dead = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{HttpServletRequest.class}, (p, m, a) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        request = new HttpServletRequestWrapper(dead) {
            @Override
            public String getServletPath() {
                return ""; // the app's servlet is mapped to /*, as in the HTTP measurement
            }

            @Override
            public String getPathInfo() {
                return "/account";
            }
        };
        HttpServletResponse deadResponse = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{HttpServletResponse.class}, (p, m, a) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        response = new HttpServletResponseWrapper(deadResponse);
        chain = this::next;
    }

    private void next(ServletRequest req, ServletResponse res) {
        blackhole.consume(req);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        migrationFilter.destroy();
        emulator.close();
    }

    @Benchmark
    public void migrationFilter() throws IOException, ServletException {
        migrationFilter.doFilter(request, response, chain);
    }

    @Benchmark
    public void emptyFilter() throws IOException, ServletException {
        emptyFilter.doFilter(request, response, chain);
    }

    private static FilterConfig filterConfig() {
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "stytchMigration";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return null;
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.emptyEnumeration();
            }
        };
    }
}
