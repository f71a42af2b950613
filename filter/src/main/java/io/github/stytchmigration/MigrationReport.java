package io.github.stytchmigration;

import io.github.stytchmigration.internal.Masking;
import io.github.stytchmigration.internal.Placeholders;
import io.github.stytchmigration.internal.jdbc.DataSources;
import io.github.stytchmigration.internal.jdbc.TableProgress;
import io.github.stytchmigration.internal.jdbc.UserTableMapping;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.sql.DataSource;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The progress and preflight report of a migration: how many rows are linked, still to migrate, cannot be
 * matched (no usable email or phone), would be refused as ambiguous or as disabled, and whether the schema
 * check passes. It reads the filter's own init-params (from flags, a properties file, or the app's
 * {@code web.xml}) and the database, in a few aggregate statements. Emails are masked unless asked.
 *
 * <pre>{@code
 * java -cp stytch-migration-filter.jar:HikariCP.jar:slf4j-api.jar:postgresql.jar \
 *     io.github.stytchmigration.MigrationReport --web-xml WEB-INF/web.xml --jdbcUrl jdbc:postgresql://db/app
 * }</pre>
 *
 * <p>In code (an admin page): {@link #run(DataSource, MigrationConfig, Options)}, then {@link #toTable(boolean)}
 * or {@link #toJson(boolean)}.
 */
public final class MigrationReport {
    /** Exit status: the report was printed and the schema check passed. */
    public static final int EXIT_OK = 0;
    /** Exit status: the report was printed, but the schema check failed (the filter would not start). */
    public static final int EXIT_SCHEMA_FAILED = 1;
    /** Exit status: bad arguments or init-params. */
    public static final int EXIT_USAGE = 2;
    /** Exit status: the database could not be read. */
    public static final int EXIT_DATABASE = 3;

    static final String USAGE = String.join("\n",
            "Usage: java -cp stytch-migration-filter.jar:HikariCP.jar:slf4j-api.jar:<jdbc-driver>.jar \\",
            "           io.github.stytchmigration.MigrationReport [options]",
            "",
            "Reads the MigrationFilter's init-params and its users table, and prints how far the migration has",
            "come and what would stop a login. Later sources override earlier ones: web.xml, properties, flags.",
            "",
            "  --web-xml FILE            the app's web.xml; its MigrationFilter's init-params",
            "  --filter-name NAME        which MigrationFilter of that web.xml (needed when it declares several)",
            "  --properties FILE         init-params as a properties file (keys are the init-param names)",
            "  --<init-param> VALUE      any init-param, e.g. --jdbcUrl jdbc:postgresql://db/app --userTable members",
            "                            (also --name=value; ${env:X} and ${sys:x} placeholders are resolved)",
            "  --created-condition SQL   a condition over the table, true for rows the migration created, e.g.",
            "                            \"origin = 'stytch'\" (a column your createUserSql sets); without it the",
            "                            report cannot tell created rows from linked ones",
            "  --groups N                how many ambiguous groups to list (default 10)",
            "  --json                    print JSON instead of a table",
            "  --show-emails             print emails and phone numbers unmasked",
            "  --help                    print this and exit",
            "",
            "The Stytch init-params are not needed and are ignored. A container DataSource (dataSourceJndiName)",
            "cannot be reached from here: pass --jdbcUrl (and --jdbcUsername, --jdbcPassword) instead.",
            "Exit status: 0 printed; 1 printed, but the schema check failed; 2 bad arguments; 3 database unreadable.");

    /** What to report beyond the counts. */
    public static final class Options {
        private String createdCondition;
        private int groups = 10;

        /**
         * A SQL condition over the user table that is true for rows the migration created, e.g.
         * {@code origin = 'stytch'}; null (default) when the table cannot tell.
         */
        public Options createdCondition(String v) {
            this.createdCondition = v == null || v.isBlank() ? null : v;
            return this;
        }

        /** How many ambiguous groups to list; default 10. */
        public Options groups(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("groups [" + v + "] must not be negative");
            }
            this.groups = v;
            return this;
        }
    }

    private final String table;
    private final TableProgress.Counts counts;
    private final boolean phoneMatching;
    private final boolean activeCondition;
    private final long elapsedMillis;

    private MigrationReport(String table, TableProgress.Counts counts, boolean phoneMatching, boolean activeCondition,
                            long elapsedMillis) {
        this.table = table;
        this.counts = counts;
        this.phoneMatching = phoneMatching;
        this.activeCondition = activeCondition;
        this.elapsedMillis = elapsedMillis;
    }

    /**
     * Reads the report from {@code dataSource} with the table mapping of {@code config}.
     *
     * @throws RuntimeException the database could not be read (the message names the task and SQL, never a value)
     */
    public static MigrationReport run(DataSource dataSource, MigrationConfig config, Options options) {
        if (options.createdCondition != null) {
            // the same rules as activeUserCondition: one expression, inside its parentheses
            MigrationConfig.checkCondition("created-condition", options.createdCondition);
        }
        long started = System.nanoTime();
        UserTableMapping mapping = UserTableMapping.from(config);
        TableProgress.Counts counts = new TableProgress(dataSource, mapping, options.createdCondition, options.groups,
                300).read();
        return new MigrationReport(config.userTable(), counts, config.phoneColumn() != null,
                config.activeUserCondition() != null, (System.nanoTime() - started) / 1_000_000);
    }

    // --- the numbers ---

    public long totalRows() {
        return counts.total;
    }

    /** Rows carrying a Stytch user id: migrated. */
    public long linkedRows() {
        return counts.linked;
    }

    /** Linked rows the migration created; -1 when unknown (no created condition). */
    public long createdRows() {
        return counts.created;
    }

    /** Linked rows that existed before and were linked; -1 when unknown. */
    public long linkedExistingRows() {
        return counts.created < 0 ? -1 : counts.linked - counts.created;
    }

    /** Rows without a Stytch user id. */
    public long notMigratedRows() {
        return counts.notMigrated;
    }

    /** Rows not migrated whose email (and phone, when matched) can never equal a verified Stytch identifier. */
    public long unmatchableRows() {
        return counts.notMigratedUnreachable;
    }

    /** Rows whose email has leading or trailing whitespace: they never match. */
    public long emailsWithSurroundingWhitespace() {
        return counts.emailsWithSurroundingWhitespace;
    }

    /** Rows {@code activeUserCondition} excludes; -1 without one. */
    public long inactiveRows() {
        return counts.inactive;
    }

    /** Not migrated rows that {@code activeUserCondition} excludes: their logins answer account_disabled; -1 without one. */
    public long inactiveNotMigratedRows() {
        return counts.inactiveNotMigrated;
    }

    /** Groups of unlinked rows sharing an email (case-insensitively) or a phone: refused as ambiguous. */
    public long ambiguousGroups() {
        return counts.ambiguousGroups;
    }

    /** Rows in those groups (a row may be in an email group and a phone group). */
    public long ambiguousRows() {
        return counts.ambiguousRows;
    }

    /** The first groups, by lowest id. */
    public List<TableProgress.Group> sampleGroups() {
        return List.copyOf(counts.sampleGroups);
    }

    /** {@code ok} or {@code failed}. */
    public String schemaVerdict() {
        return counts.schemaVerdict;
    }

    /** The schema check's warnings (with the DDL), or its failure. */
    public List<String> schemaMessages() {
        return List.copyOf(counts.schemaMessages);
    }

    public long elapsedMillis() {
        return elapsedMillis;
    }

    // --- rendering ---

    private static String show(String value, boolean showEmails) {
        return showEmails ? value : Masking.maskIdentifier(value);
    }

    /** A plain-text table for a terminal. */
    public String toTable(boolean showEmails) {
        StringBuilder b = new StringBuilder();
        b.append("Migration progress of table ").append(table).append('\n');
        row(b, "rows", Long.toString(counts.total), "");
        row(b, "linked to Stytch (migrated)", Long.toString(counts.linked), percent(counts.linked));
        if (counts.created >= 0) {
            row(b, "  created by the migration", Long.toString(counts.created), "");
            row(b, "  existing rows linked", Long.toString(counts.linked - counts.created), "");
        } else {
            row(b, "  created vs linked", "unknown", "pass --created-condition (see below)");
        }
        row(b, "not yet migrated", Long.toString(counts.notMigrated), percent(counts.notMigrated));
        row(b, "  with no usable email" + (phoneMatching ? " or phone" : ""), Long.toString(counts.notMigratedUnreachable),
                "never matched: a login creates a new row");
        row(b, "emails with surrounding whitespace", Long.toString(counts.emailsWithSurroundingWhitespace), "never match");
        row(b, "ambiguous groups", Long.toString(counts.ambiguousGroups), counts.ambiguousRows
                + " unlinked rows share an identifier: refused (account_conflict)");
        if (activeCondition) {
            row(b, "excluded by activeUserCondition", Long.toString(counts.inactive),
                    counts.inactiveNotMigrated + " not migrated: refused (account_disabled)");
        } else {
            row(b, "excluded by activeUserCondition", "-", "no condition set");
        }
        row(b, "schema check", counts.schemaVerdict, "");
        for (TableProgress.Group g : counts.sampleGroups) {
            b.append("  ").append(g.kind()).append(' ').append(show(g.value(), showEmails)).append(": ")
                    .append(g.rows()).append(" rows, ids ").append(g.ids()).append('\n');
        }
        if (counts.ambiguousGroups > counts.sampleGroups.size()) {
            b.append("  … ").append(counts.ambiguousGroups - counts.sampleGroups.size()).append(" more groups\n");
        }
        for (String message : counts.schemaMessages) {
            b.append(counts.schemaVerdict.equals("ok") ? "warning: " : "schema: ").append(message).append('\n');
        }
        if (counts.created < 0) {
            b.append("The table alone cannot tell rows the migration created from rows it linked. Record it: a column"
                    + " your createUserSql sets (e.g. origin = 'stytch'), or a MigrationListener (listenerClass) that"
                    + " writes CREATED outcomes down; then pass --created-condition.\n");
        }
        b.append("read in ").append(elapsedMillis).append(" ms\n");
        return b.toString();
    }

    private String percent(long n) {
        return counts.total == 0 ? "" : String.format(Locale.ROOT, "%.1f%%", 100.0 * n / counts.total);
    }

    private static void row(StringBuilder b, String label, String value, String note) {
        b.append(String.format(Locale.ROOT, "%-40s %12s  %s", label, value, note).stripTrailing()).append('\n');
    }

    /** One JSON object; unknown numbers are null. */
    public String toJson(boolean showEmails) {
        StringBuilder b = new StringBuilder("{");
        field(b, "table", quote(table));
        field(b, "total", counts.total);
        field(b, "linked", counts.linked);
        field(b, "created", counts.created < 0 ? null : counts.created);
        field(b, "linkedExisting", counts.created < 0 ? null : counts.linked - counts.created);
        field(b, "notMigrated", counts.notMigrated);
        field(b, "notMigratedUnmatchable", counts.notMigratedUnreachable);
        field(b, "emailsWithSurroundingWhitespace", counts.emailsWithSurroundingWhitespace);
        field(b, "ambiguousGroups", counts.ambiguousGroups);
        field(b, "ambiguousRows", counts.ambiguousRows);
        field(b, "inactive", counts.inactive < 0 ? null : counts.inactive);
        field(b, "inactiveNotMigrated", counts.inactiveNotMigrated < 0 ? null : counts.inactiveNotMigrated);
        List<String> groups = new ArrayList<>();
        for (TableProgress.Group g : counts.sampleGroups) {
            groups.add("{\"kind\":" + quote(g.kind()) + ",\"value\":" + quote(show(g.value(), showEmails))
                    + ",\"rows\":" + g.rows() + ",\"ids\":" + quote(g.ids()) + "}");
        }
        field(b, "sampleGroups", "[" + String.join(",", groups) + "]");
        List<String> messages = new ArrayList<>();
        for (String m : counts.schemaMessages) {
            messages.add(quote(m));
        }
        field(b, "schema", "{\"verdict\":" + quote(counts.schemaVerdict) + ",\"messages\":[" + String.join(",", messages) + "]}");
        field(b, "elapsedMillis", elapsedMillis);
        return b.append('}').toString();
    }

    private static void field(StringBuilder b, String name, Object value) {
        if (b.length() > 1) {
            b.append(',');
        }
        b.append(quote(name)).append(':').append(value);
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"':
                    b.append("\\\"");
                    break;
                case '\\':
                    b.append("\\\\");
                    break;
                case '\n':
                    b.append("\\n");
                    break;
                default:
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }

    // --- the command ---

    /** The command; see {@code --help}. Exits with {@link #EXIT_OK} … {@link #EXIT_DATABASE}. */
    public static void main(String[] args) {
        // the report's pool starts and stops once: its INFO lines only clutter the command's stderr (when SLF4J
        // logs through java.util.logging, as with slf4j-jdk14; other bindings keep their own configuration)
        QUIET_POOL_LOG.setLevel(java.util.logging.Level.WARNING);
        int status = run(args, System.out, System.err);
        if (status != EXIT_OK) {
            System.exit(status);
        }
    }

    // JUL holds loggers weakly: keep the one whose level main() sets
    private static final java.util.logging.Logger QUIET_POOL_LOG = java.util.logging.Logger.getLogger("com.zaxxer.hikari");

    /** The command without {@code System.exit}: prints to {@code out} and {@code err}, returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Command command;
        MigrationConfig config;
        try {
            command = Command.parse(args);
            if (command.help) {
                out.println(USAGE);
                return EXIT_OK;
            }
            config = command.config(Placeholders.fromProcess());
        } catch (IllegalArgumentException e) {
            err.println("MigrationReport: " + e.getMessage());
            err.println("Try --help.");
            return EXIT_USAGE;
        }
        MigrationReport report;
        try (AutoCloseable pool = DataSources.pool(config.jdbcUrl(), config.jdbcUsername(), config.jdbcPassword(), 2,
                config.jdbcConnectionTimeoutMillis())) {
            report = run((DataSource) pool, config, command.options);
        } catch (IllegalArgumentException e) {
            err.println("MigrationReport: " + e.getMessage());
            return EXIT_USAGE;
        } catch (Exception e) {
            // our exceptions name the task and the SQL, never a bound value or the password
            err.println("MigrationReport: could not read the database: " + e.getMessage());
            return EXIT_DATABASE;
        }
        out.println(command.json ? report.toJson(command.showEmails) : report.toTable(command.showEmails));
        return "ok".equals(report.schemaVerdict()) ? EXIT_OK : EXIT_SCHEMA_FAILED;
    }

    /** The parsed command line. */
    static final class Command {
        boolean help;
        boolean json;
        boolean showEmails;
        String webXml;
        String filterName;
        String properties;
        final Options options = new Options();
        final Map<String, String> flags = new LinkedHashMap<>();

        static Command parse(String[] args) {
            Command c = new Command();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument [" + arg + "]");
                }
                String name = arg.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                switch (name) {
                    case "help":
                        c.help = true;
                        continue;
                    case "json":
                        c.json = true;
                        continue;
                    case "show-emails":
                        c.showEmails = true;
                        continue;
                    default:
                        break;
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                switch (name) {
                    case "web-xml":
                        c.webXml = value;
                        break;
                    case "filter-name":
                        c.filterName = value;
                        break;
                    case "properties":
                        c.properties = value;
                        break;
                    case "created-condition":
                        c.options.createdCondition(value);
                        break;
                    case "groups":
                        try {
                            c.options.groups(Integer.parseInt(value));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--groups [" + value + "] must be an integer");
                        }
                        break;
                    default:
                        if (!MigrationConfig.KNOWN_PARAMS.contains(name)) {
                            throw new IllegalArgumentException("unknown option --" + name + "; init-params are "
                                    + MigrationConfig.KNOWN_PARAMS);
                        }
                        c.flags.put(name, value);
                }
            }
            return c;
        }

        /** The init-params of every source, the Stytch ones replaced: the report never calls Stytch. */
        MigrationConfig config(Placeholders placeholders) {
            Map<String, String> params = new LinkedHashMap<>();
            if (webXml != null) {
                params.putAll(webXmlParams(Path.of(webXml), filterName));
            } else if (filterName != null) {
                throw new IllegalArgumentException("--filter-name needs --web-xml");
            }
            if (properties != null) {
                params.putAll(propertiesParams(Path.of(properties)));
            }
            if (flags.containsKey(MigrationConfig.JDBC_URL.name())) {
                params.remove(MigrationConfig.DATA_SOURCE_JNDI_NAME.name());
            }
            params.putAll(flags);
            if (params.get(MigrationConfig.DATA_SOURCE_JNDI_NAME.name()) != null && params.get(MigrationConfig.JDBC_URL.name()) == null) {
                throw new IllegalArgumentException(MigrationConfig.DATA_SOURCE_JNDI_NAME + " ["
                        + params.get(MigrationConfig.DATA_SOURCE_JNDI_NAME.name()) + "] is the container's DataSource and cannot"
                        + " be reached from here: pass --jdbcUrl (and --jdbcUsername, --jdbcPassword)");
            }
            if (params.get(MigrationConfig.JDBC_URL.name()) == null) {
                throw new IllegalArgumentException("no database: pass --jdbcUrl, or --web-xml / --properties that set jdbcUrl");
            }
            // not needed, and their placeholders may name variables only the app server has
            for (MigrationConfig.Param<?> stytch : List.of(MigrationConfig.STYTCH_SECRET, MigrationConfig.STYTCH_API_BASE_URL,
                    MigrationConfig.STYTCH_PROJECT_ID, MigrationConfig.LISTENER_CLASS)) {
                params.remove(stytch.name());
            }
            params.put(MigrationConfig.STYTCH_PROJECT_ID.name(), "project-test-report");
            params.put(MigrationConfig.STYTCH_SECRET.name(), "unused-by-the-report");
            return MigrationConfig.fromInitParams(params, placeholders);
        }

        static Map<String, String> propertiesParams(Path file) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException("--properties [" + file + "] could not be read: " + e.getMessage());
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (String name : p.stringPropertyNames()) {
                params.put(name, p.getProperty(name));
            }
            return params;
        }

        /** The init-params of the one {@code MigrationFilter} (or the one named) of a web.xml, with the JDK's parser. */
        static Map<String, String> webXmlParams(Path file, String filterName) {
            Document doc;
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setNamespaceAware(true);
                // a web.xml never needs a DTD or entities: refuse them (XXE)
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
                f.setXIncludeAware(false);
                f.setExpandEntityReferences(false);
                DocumentBuilder builder = f.newDocumentBuilder();
                builder.setErrorHandler(null);
                try (InputStream in = Files.newInputStream(file)) {
                    doc = builder.parse(in);
                }
            } catch (Exception e) {
                throw new IllegalArgumentException("--web-xml [" + file + "] could not be read: " + e.getMessage());
            }
            List<Element> filters = new ArrayList<>();
            List<String> names = new ArrayList<>();
            NodeList all = doc.getElementsByTagNameNS("*", "filter");
            for (int i = 0; i < all.getLength(); i++) {
                Element filter = (Element) all.item(i);
                if (MigrationFilter.class.getName().equals(text(filter, "filter-class"))) {
                    String name = text(filter, "filter-name");
                    names.add(name);
                    if (filterName == null || filterName.equals(name)) {
                        filters.add(filter);
                    }
                }
            }
            if (filters.isEmpty()) {
                throw new IllegalArgumentException("--web-xml [" + file + "] declares no " + MigrationFilter.class.getName()
                        + (filterName == null ? "" : " named [" + filterName + "]; it declares " + names));
            }
            if (filters.size() > 1) {
                throw new IllegalArgumentException("--web-xml [" + file + "] declares several MigrationFilters " + names
                        + ": choose one with --filter-name");
            }
            Map<String, String> params = new LinkedHashMap<>();
            NodeList initParams = filters.get(0).getElementsByTagNameNS("*", "init-param");
            for (int i = 0; i < initParams.getLength(); i++) {
                Element p = (Element) initParams.item(i);
                params.put(text(p, "param-name"), text(p, "param-value"));
            }
            return params;
        }

        private static String text(Element parent, String child) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element && child.equals(n.getLocalName())) {
                    return n.getTextContent().trim();
                }
            }
            return null;
        }
    }

    @Override
    public String toString() {
        return "MigrationReport[table=" + table + ", total=" + counts.total + ", linked=" + counts.linked + "]";
    }
}
