package io.github.stytchmigration.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixture's web.xml and context.xml, read back by an XML parser as a container would. */
class WebAppTest {
    private static final String HOSTILE = "a&b <c> \"d\" 'e' ${sys:f}";

    @Test
    void declaresFiltersInOrderEachMappedToEveryRequest() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("stytchProjectId", "project-test-1");
        params.put("callbackPath", "/cb");
        Document xml = parse(new WebApp()
                .filter("first", "com.example.First", Map.of())
                .filter("second", WebApp.MIGRATION_FILTER, params)
                .webXml());

        assertThat(texts(xml, "filter-name")).containsExactly("first", "second", "first", "second");
        assertThat(texts(xml, "filter-class")).containsExactly("com.example.First", WebApp.MIGRATION_FILTER);
        assertThat(texts(xml, "url-pattern")).containsExactly("/*", "/*", "/");
        assertThat(texts(xml, "dispatcher")).containsExactly("REQUEST", "REQUEST");
        assertThat(texts(xml, "servlet-class")).containsExactly(AppServlet.class.getName());
        assertThat(texts(xml, "param-name")).containsExactly("stytchProjectId", "callbackPath");
    }

    @Test
    void escapesEveryNameAndValueSoTheContainerReadsThemUnchanged() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("createUserSql", HOSTILE);
        Document xml = parse(new WebApp()
                .contextParam("p&q", HOSTILE)
                .listener("com.example.Listener")
                .filter("f<1>", "com.example.F", params)
                .webXml());

        assertThat(texts(xml, "param-name")).containsExactly("p&q", "createUserSql");
        assertThat(texts(xml, "param-value")).containsExactly(HOSTILE, HOSTILE);
        assertThat(texts(xml, "listener-class")).containsExactly("com.example.Listener");
        assertThat(texts(xml, "filter-name")).containsExactly("f<1>", "f<1>");
    }

    @Test
    void writesContextXmlOnlyWhenGiven(@TempDir Path dir) throws Exception {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("type", "javax.sql.DataSource");
        attributes.put("password", HOSTILE);
        new WebApp().contextXml(new ContextXml().resource("jdbc/users", attributes)).writeTo(dir.resolve("with"));
        new WebApp().writeTo(dir.resolve("without"));

        Document context = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve("with/META-INF/context.xml").toFile());
        Element resource = (Element) context.getElementsByTagName("Resource").item(0);
        assertThat(resource.getAttribute("name")).isEqualTo("jdbc/users");
        assertThat(resource.getAttribute("password")).isEqualTo(HOSTILE);
        assertThat(dir.resolve("with/WEB-INF/web.xml")).isNotEmptyFile();
        assertThat(dir.resolve("without/WEB-INF/web.xml")).isNotEmptyFile();
        assertThat(dir.resolve("without/META-INF")).doesNotExist();
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document xml, String tag) {
        NodeList nodes = xml.getElementsByTagName(tag);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent());
        }
        return texts;
    }
}
