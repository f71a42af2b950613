package io.github.stytchmigration.emulator.internal;

/** HTML text escaping for everything the emulator echoes into a page. */
final class Html {

    private Html() {
    }

    static String escape(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + "</title>"
                + "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
                + "table{border-collapse:collapse;max-width:100%}td,th{border:1px solid #999;padding:.3rem .5rem;text-align:left;"
                // long addresses (up to 254 characters) and ids wrap inside their cell, never widen the page
                + "overflow-wrap:anywhere}"
                // ... but a heading, a time or a kind stays whole; a spent link is marked, and still opens
                + "th,td.nowrap{overflow-wrap:normal}td.nowrap{white-space:nowrap}.spent{color:#666;font-style:italic}"
                + "label{display:block;margin:.6rem 0}</style></head><body>\n"
                + body + "\n</body></html>\n";
    }
}
