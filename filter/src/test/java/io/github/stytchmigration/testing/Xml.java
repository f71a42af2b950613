package io.github.stytchmigration.testing;

/** Escaping for the web.xml and context.xml the fixture writes. */
final class Xml {
    private Xml() {
    }

    /** Safe inside element text and inside a double- or single-quoted attribute. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&apos;");
    }
}
