package io.github.stytchmigration.testing;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small HttpServletResponse for container-free tests of the filter's glue: status, headers
 * (case-insensitive names, several values), content type and a body. Anything else throws.
 */
public final class TesterHttpServletResponse extends HttpServletResponseWrapper {
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private final StringWriter body = new StringWriter();
    private final PrintWriter writer = new PrintWriter(body);
    private int status = SC_OK;
    private String contentType;
    private boolean committed;

    public TesterHttpServletResponse() {
        super(Unsupported.of(HttpServletResponse.class));
    }

    /** Marks the response committed, as a container does once bytes went out. */
    public TesterHttpServletResponse committed() {
        this.committed = true;
        return this;
    }

    public String body() {
        writer.flush();
        return body.toString();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public void setStatus(int sc) {
        this.status = sc;
    }

    @Override
    public int getStatus() {
        return status;
    }

    @Override
    public void setHeader(String name, String value) {
        List<String> values = new ArrayList<>();
        values.add(value);
        headers.put(key(name), values);
    }

    @Override
    public void addHeader(String name, String value) {
        headers.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value);
    }

    @Override
    public String getHeader(String name) {
        List<String> values = headers.get(key(name));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        List<String> values = headers.get(key(name));
        return values == null ? List.of() : List.copyOf(values);
    }

    @Override
    public Collection<String> getHeaderNames() {
        return List.copyOf(headers.keySet());
    }

    @Override
    public boolean containsHeader(String name) {
        return headers.containsKey(key(name));
    }

    @Override
    public void setContentType(String type) {
        this.contentType = type;
    }

    @Override
    public String getContentType() {
        return contentType;
    }

    @Override
    public PrintWriter getWriter() {
        return writer;
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }
}
