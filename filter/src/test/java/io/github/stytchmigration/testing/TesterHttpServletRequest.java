package io.github.stytchmigration.testing;

import jakarta.servlet.ServletContext;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HttpServletRequest for container-free tests of the filter's glue: method, paths,
 * parameters, attributes, cookies, headers, a {@link TesterHttpSession}, {@code changeSessionId()},
 * {@code isSecure()}.
 * Anything else throws {@link UnsupportedOperationException}, so a test notices when the glue starts
 * to depend on more.
 */
public final class TesterHttpServletRequest extends HttpServletRequestWrapper {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String method;
    private final String servletPath;
    private final String pathInfo;
    private final Map<String, List<String>> parameters = new LinkedHashMap<>();
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final List<jakarta.servlet.http.Cookie> cookies = new ArrayList<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private TesterHttpSession session;
    private boolean secure;
    private String contextPath = "/app";

    public TesterHttpServletRequest(String method, String servletPath, String pathInfo) {
        super(Unsupported.of(HttpServletRequest.class));
        this.method = method;
        this.servletPath = servletPath;
        this.pathInfo = pathInfo;
    }

    /** A GET on {@code path} behind a servlet mapped to {@code /}. */
    public static TesterHttpServletRequest get(String path) {
        return new TesterHttpServletRequest("GET", path, null);
    }

    public TesterHttpServletRequest param(String name, String... values) {
        parameters.computeIfAbsent(name, k -> new ArrayList<>()).addAll(List.of(values));
        return this;
    }

    public TesterHttpServletRequest cookie(String name, String value) {
        cookies.add(new jakarta.servlet.http.Cookie(name, value));
        return this;
    }

    /** One value per header name (the last set wins); names are matched case-insensitively. */
    public TesterHttpServletRequest header(String name, String value) {
        headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
        return this;
    }

    @Override
    public jakarta.servlet.http.Cookie[] getCookies() {
        return cookies.isEmpty() ? null : cookies.toArray(new jakarta.servlet.http.Cookie[0]);
    }

    @Override
    public String getHeader(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public TesterHttpServletRequest session(TesterHttpSession existing) {
        this.session = existing;
        return this;
    }

    public TesterHttpServletRequest secure(boolean value) {
        this.secure = value;
        return this;
    }

    /** The session the request holds now (after {@code getSession(true)} or a rotation); may be null. */
    public TesterHttpSession testerSession() {
        return session;
    }

    @Override
    public String getMethod() {
        return method;
    }

    @Override
    public String getServletPath() {
        return servletPath;
    }

    @Override
    public String getPathInfo() {
        return pathInfo;
    }

    @Override
    public String getContextPath() {
        return contextPath;
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public String getParameter(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String[] getParameterValues(String name) {
        List<String> values = parameters.get(name);
        return values == null ? null : values.toArray(new String[0]);
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        return Collections.enumeration(attributes.keySet());
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void removeAttribute(String name) {
        attributes.remove(name);
    }

    @Override
    public HttpSession getSession(boolean create) {
        if (session != null && session.isInvalidated()) {
            session = null;
        }
        if (session == null && create) {
            session = new TesterHttpSession("S" + IDS.incrementAndGet());
        }
        return session == null ? null : session.session();
    }

    @Override
    public HttpSession getSession() {
        return getSession(true);
    }

    @Override
    public String changeSessionId() {
        if (session == null || session.isInvalidated()) {
            throw new IllegalStateException("no session to rotate");
        }
        session.changeId("S" + IDS.incrementAndGet());
        return session.id();
    }

    @Override
    public ServletContext getServletContext() {
        SessionCookieConfig cookies = Unsupported.of(SessionCookieConfig.class);
        return (ServletContext) Proxy.newProxyInstance(ServletContext.class.getClassLoader(),
                new Class<?>[]{ServletContext.class}, (proxy, m, args) -> {
                    if (m.getName().equals("getSessionCookieConfig")) {
                        return Proxy.newProxyInstance(SessionCookieConfig.class.getClassLoader(),
                                new Class<?>[]{SessionCookieConfig.class}, (p, n, a) -> {
                                    if (n.getName().equals("getName")) {
                                        return null; // the container default, JSESSIONID
                                    }
                                    return n.invoke(cookies, a);
                                });
                    }
                    throw new UnsupportedOperationException("ServletContext." + m.getName() + " is not faked");
                });
    }
}
