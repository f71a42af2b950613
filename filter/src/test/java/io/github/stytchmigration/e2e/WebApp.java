package io.github.stytchmigration.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an exploded webapp (WEB-INF/web.xml, optional META-INF/context.xml) the way a legacy app
 * declares the filter: one {@code <filter>} per declaration, each mapped to {@code /*}.
 */
final class WebApp {
    private final List<Map<String, String>> filters = new ArrayList<>();
    private final List<String> filterNames = new ArrayList<>();
    private String contextXml;

    WebApp filter(String name, Map<String, String> initParams) {
        filterNames.add(name);
        filters.add(new LinkedHashMap<>(initParams));
        return this;
    }

    WebApp contextXml(String xml) {
        this.contextXml = xml;
        return this;
    }

    Path writeTo(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("WEB-INF"));
        Files.writeString(dir.resolve("WEB-INF/web.xml"), webXml(), StandardCharsets.UTF_8);
        if (contextXml != null) {
            Files.createDirectories(dir.resolve("META-INF"));
            Files.writeString(dir.resolve("META-INF/context.xml"), contextXml, StandardCharsets.UTF_8);
        }
        return dir;
    }

    String webXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\"\n")
                .append("         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("         xsi:schemaLocation=\"https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_5_0.xsd\"\n")
                .append("         version=\"5.0\" metadata-complete=\"true\">\n");
        for (int i = 0; i < filters.size(); i++) {
            x.append("  <filter>\n    <filter-name>").append(filterNames.get(i)).append("</filter-name>\n")
                    .append("    <filter-class>io.github.stytchmigration.MigrationFilter</filter-class>\n");
            for (Map.Entry<String, String> p : filters.get(i).entrySet()) {
                x.append("    <init-param><param-name>").append(p.getKey()).append("</param-name><param-value>")
                        .append(escape(p.getValue())).append("</param-value></init-param>\n");
            }
            x.append("  </filter>\n");
        }
        for (String name : filterNames) {
            x.append("  <filter-mapping>\n    <filter-name>").append(name)
                    .append("</filter-name>\n    <url-pattern>/*</url-pattern>\n  </filter-mapping>\n");
        }
        x.append("  <servlet>\n    <servlet-name>app</servlet-name>\n")
                .append("    <servlet-class>").append(ShowLoginServlet.class.getName()).append("</servlet-class>\n  </servlet>\n")
                .append("  <servlet-mapping>\n    <servlet-name>app</servlet-name>\n    <url-pattern>/</url-pattern>\n  </servlet-mapping>\n")
                .append("</web-app>\n");
        return x.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
