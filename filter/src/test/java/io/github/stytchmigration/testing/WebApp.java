package io.github.stytchmigration.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exploded webapp as a legacy app declares the filter: {@code WEB-INF/web.xml} with context-params,
 * listeners, any number of filters (each mapped to {@code /*} on REQUEST, in declaration order) in front of
 * the one {@link AppServlet}, and optionally {@code META-INF/context.xml}. Every value is XML-escaped.
 *
 * <pre>{@code
 * new WebApp().filter("stytchMigration", InitParams.stytch(emulator).jdbc(db)).writeTo(dir);
 * }</pre>
 */
public final class WebApp {
    /** The filter under test, by name, as an operator writes it in web.xml. */
    public static final String MIGRATION_FILTER = "io.github.stytchmigration.MigrationFilter";

    /** One {@code <filter>} declaration. */
    public record Filter(String name, String className, Map<String, String> initParams) {
        public Filter {
            // a copy that keeps the declaration order (Map.copyOf would not)
            initParams = Collections.unmodifiableMap(new LinkedHashMap<>(initParams));
        }
    }

    private final Map<String, String> contextParams = new LinkedHashMap<>();
    private final List<String> listeners = new ArrayList<>();
    private final List<Filter> filters = new ArrayList<>();
    private ContextXml contextXml;

    /** A webapp with one {@code MigrationFilter} named {@code stytchMigration}. */
    public static WebApp withMigrationFilter(InitParams params) {
        return new WebApp().filter("stytchMigration", params);
    }

    /** Adds a {@code MigrationFilter} after the filters declared so far. */
    public WebApp filter(String name, InitParams params) {
        return filter(name, MIGRATION_FILTER, params.asMap());
    }

    /** Adds a filter of any class after the filters declared so far. */
    public WebApp filter(String name, String className, Map<String, String> initParams) {
        filters.add(new Filter(name, className, initParams));
        return this;
    }

    /** Adds a {@code <listener>}; the container calls listeners in declaration order. */
    public WebApp listener(String className) {
        listeners.add(className);
        return this;
    }

    public WebApp contextParam(String name, String value) {
        contextParams.put(name, value);
        return this;
    }

    /** {@code META-INF/context.xml}: read by Tomcat, ignored by Jetty. */
    public WebApp contextXml(ContextXml xml) {
        this.contextXml = xml;
        return this;
    }

    /** Writes {@code dir/WEB-INF/web.xml} (and {@code dir/META-INF/context.xml}); returns {@code dir}. */
    public Path writeTo(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("WEB-INF"));
        Files.writeString(dir.resolve("WEB-INF/web.xml"), webXml(), StandardCharsets.UTF_8);
        if (contextXml != null) {
            Files.createDirectories(dir.resolve("META-INF"));
            Files.writeString(dir.resolve("META-INF/context.xml"), contextXml.xml(), StandardCharsets.UTF_8);
        }
        return dir;
    }

    public String webXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\"\n")
                .append("         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("         xsi:schemaLocation=\"https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_5_0.xsd\"\n")
                .append("         version=\"5.0\" metadata-complete=\"true\">\n");
        contextParams.forEach((name, value) -> x.append("  <context-param>").append(param(name, value)).append("</context-param>\n"));
        for (String listener : listeners) {
            x.append("  <listener><listener-class>").append(Xml.escape(listener)).append("</listener-class></listener>\n");
        }
        for (Filter f : filters) {
            x.append("  <filter>\n    <filter-name>").append(Xml.escape(f.name())).append("</filter-name>\n")
                    .append("    <filter-class>").append(Xml.escape(f.className())).append("</filter-class>\n");
            f.initParams().forEach((name, value) -> x.append("    <init-param>").append(param(name, value)).append("</init-param>\n"));
            x.append("  </filter>\n");
        }
        // the container chains filters in the order of their mappings
        for (Filter f : filters) {
            x.append("  <filter-mapping>\n    <filter-name>").append(Xml.escape(f.name())).append("</filter-name>\n")
                    .append("    <url-pattern>/*</url-pattern>\n    <dispatcher>REQUEST</dispatcher>\n  </filter-mapping>\n");
        }
        x.append("  <servlet>\n    <servlet-name>app</servlet-name>\n")
                .append("    <servlet-class>").append(AppServlet.class.getName()).append("</servlet-class>\n  </servlet>\n")
                .append("  <servlet-mapping>\n    <servlet-name>app</servlet-name>\n    <url-pattern>/</url-pattern>\n  </servlet-mapping>\n")
                .append("</web-app>\n");
        return x.toString();
    }

    private static String param(String name, String value) {
        return "<param-name>" + Xml.escape(name) + "</param-name><param-value>" + Xml.escape(value) + "</param-value>";
    }
}
