package io.github.stytchmigration.emulator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Method + path pattern → handler; patterns capture the path parameters. */
final class Router {

    /**
     * One route; {@code authenticated} routes need the project's Basic credentials, {@code locked}
     * ones run holding the state lock (all but those that touch no state, or guard their own).
     */
    record Route(String method, Pattern pattern, boolean authenticated, boolean locked,
                 Function<Call, Reply> handler) {
    }

    /** A matched route and its decoded path parameters. */
    record Match(Route route, List<String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    Router api(String method, String pattern, Function<Call, Reply> handler) {
        routes.add(new Route(method, Pattern.compile(pattern), true, true, handler));
        return this;
    }

    Router open(String method, String pattern, Function<Call, Reply> handler) {
        routes.add(new Route(method, Pattern.compile(pattern), false, true, handler));
        return this;
    }

    /** A route without credentials whose handler runs without the state lock. */
    Router openUnlocked(String method, String pattern, Function<Call, Reply> handler) {
        routes.add(new Route(method, Pattern.compile(pattern), false, false, handler));
        return this;
    }

    /** The route for this request; 405 when only the method is wrong, empty when no path matches. */
    Optional<Match> match(String method, String path) {
        boolean pathMatched = false;
        for (Route route : routes) {
            Matcher m = route.pattern().matcher(path);
            if (m.matches()) {
                pathMatched = true;
                if (route.method().equals(method)) {
                    List<String> params = new ArrayList<>();
                    for (int i = 1; i <= m.groupCount(); i++) {
                        params.add(m.group(i));
                    }
                    return Optional.of(new Match(route, params));
                }
            }
        }
        if (pathMatched) {
            throw new ApiException(405, "method_not_allowed", "Method " + method + " is not allowed here.");
        }
        return Optional.empty();
    }
}
