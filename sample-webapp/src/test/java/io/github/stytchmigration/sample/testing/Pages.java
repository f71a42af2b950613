package io.github.stytchmigration.sample.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the bits tests need out of the sample's server-rendered HTML. */
public final class Pages {
    private Pages() {
    }

    public static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF field in page:\n" + html);
        }
        return m.group(1);
    }

    /** The text inside the element with this id (no nested tags), HTML entities decoded. */
    public static String byId(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no element #" + id + " in page:\n" + html);
        }
        return unescape(m.group(1)).trim();
    }

    /** {@code <td data-column="NAME">} of the account page's row table. */
    public static String column(String html, String name) {
        Matcher m = Pattern.compile("data-column=\"" + Pattern.quote(name) + "\">(.*?)</td>").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no column " + name + " in page:\n" + html);
        }
        String cell = m.group(1);
        return cell.contains("class=\"null\"") ? null : unescape(cell);
    }

    public static String attribute(String html, String id, String attribute) {
        Matcher m = Pattern.compile("<[^>]*id=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no element #" + id + " in page:\n" + html);
        }
        Matcher a = Pattern.compile(Pattern.quote(attribute) + "=\"([^\"]*)\"").matcher(m.group());
        if (!a.find()) {
            throw new AssertionError("#" + id + " has no " + attribute);
        }
        return unescape(a.group(1));
    }

    /** name → value of every {@code <input type="hidden">}. */
    public static Map<String, String> hiddenInputs(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<input[^>]*type=\"hidden\"[^>]*>").matcher(html);
        while (m.find()) {
            Matcher name = Pattern.compile("name=\"([^\"]*)\"").matcher(m.group());
            Matcher value = Pattern.compile("value=\"([^\"]*)\"").matcher(m.group());
            if (name.find()) {
                fields.put(unescape(name.group(1)), value.find() ? unescape(value.group(1)) : "");
            }
        }
        return fields;
    }

    public static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&#x27;", "'").replace("&#x2F;", "/").replace("&#47;", "/").replace("&#61;", "=")
                .replace("&#x3D;", "=").replace("&amp;", "&");
    }
}
