package io.github.stytchmigration.testing;

import jakarta.servlet.http.HttpSession;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An in-memory HttpSession for container-free tests of the filter's glue. A proxy rather than a class
 * implementing the interface: the tests compile against Servlet 5.0 and run on 6.0, which differ in
 * HttpSession's deprecated methods.
 */
public final class TesterHttpSession {
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final HttpSession session;
    private String id;
    private boolean invalidated;

    public TesterHttpSession(String id) {
        this.id = id;
        this.session = (HttpSession) Proxy.newProxyInstance(HttpSession.class.getClassLoader(),
                new Class<?>[]{HttpSession.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getId":
                            return this.id;
                        case "getAttribute":
                            checkValid();
                            return attributes.get((String) args[0]);
                        case "getAttributeNames":
                            checkValid();
                            return Collections.enumeration(attributes.keySet());
                        case "setAttribute":
                            checkValid();
                            if (args[1] == null) {
                                attributes.remove((String) args[0]);
                            } else {
                                attributes.put((String) args[0], args[1]);
                            }
                            return null;
                        case "removeAttribute":
                            checkValid();
                            attributes.remove((String) args[0]);
                            return null;
                        case "invalidate":
                            checkValid();
                            invalidated = true;
                            attributes.clear();
                            return null;
                        case "isNew":
                            return false;
                        case "toString":
                            return "TesterHttpSession[" + this.id + "]";
                        default:
                            throw new UnsupportedOperationException("HttpSession." + method.getName() + " is not faked");
                    }
                });
    }

    private void checkValid() {
        if (invalidated) {
            throw new IllegalStateException("session " + id + " was invalidated");
        }
    }

    /** The HttpSession the request hands out. */
    public HttpSession session() {
        return session;
    }

    /** What {@code HttpServletRequest.changeSessionId()} does to the session. */
    void changeId(String newId) {
        this.id = newId;
    }

    public String id() {
        return id;
    }

    public boolean isInvalidated() {
        return invalidated;
    }

    /** A copy of the attributes. */
    public Map<String, Object> attributes() {
        return new LinkedHashMap<>(attributes);
    }
}
