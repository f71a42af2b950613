package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One filter instance's {@link MigrationMetrics} as a read-only MBean on the platform MBean server (jconsole,
 * VisualVM, a JMX exporter), named {@code io.github.stytchmigration:type=MigrationFilter,context=<context
 * path>,name=<filter name>}. Its attributes derive from {@link MigrationOutcome} and {@link ErrorCode}, so a
 * new outcome or code is a new attribute: {@code LoginsCreated}, {@code FailuresInvalidToken}, … .
 *
 * <p>Registered at the filter's init, unregistered at its destroy: the platform server outlives a webapp, and
 * a bean left there would pin the webapp's class loader.
 */
public final class MetricsJmx implements DynamicMBean {
    /** The JMX domain of every bean of this project. */
    public static final String DOMAIN = "io.github.stytchmigration";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsJmx.class);

    private final Map<String, Attr> attributes = new LinkedHashMap<>();
    private final MBeanInfo info;

    private static final class Attr {
        final String type;
        final String description;
        final Supplier<Object> value;

        Attr(String type, String description, Supplier<Object> value) {
            this.type = type;
            this.description = description;
            this.value = value;
        }
    }

    MetricsJmx(MigrationMetrics m) {
        gauge("LoginsInFlight", "logins waiting on Stytch or the database now (bounded by maxConcurrentCallbacks)",
                m::inFlight);
        counter("Logins", "successful logins since init", m::logins);
        for (MigrationOutcome o : MigrationOutcome.values()) {
            counter("Logins" + camel(o.name()), "successful logins with outcome " + o, () -> m.logins(o));
        }
        counter("Failures", "failed callbacks since init", m::failures);
        for (ErrorCode c : ErrorCode.values()) {
            counter("Failures" + camel(c.code()), "failed callbacks answered " + c.code() + " (" + c.status() + ")",
                    () -> m.failures(c));
        }
        counter("BusyRejections", "callbacks refused at once because maxConcurrentCallbacks were in flight"
                + " (also in FailuresStytchUnavailable)", m::busyRejections);
        counter("Relinks", "rows moved to another Stytch user (conflictPolicy=relink)", m::relinks);
        timer("Stytch", "Stytch calls of logins (authenticate, users.get, sessions.authenticate)", m.stytch());
        timer("Database", "link-or-create units (every statement of one login)", m.database());
        counter("ExternalIdWrites", "external_id set on a Stytch user (writeExternalId)", m::externalIdWrites);
        counter("ExternalIdWriteFailures", "external_id writes that failed, retried at the user's next login",
                m::externalIdWriteFailures);
        counter("ExternalIdRefusals", "external_ids not written for good: invalid or taken by another Stytch user",
                m::externalIdRefusals);
        MBeanAttributeInfo[] infos = new MBeanAttributeInfo[attributes.size()];
        int i = 0;
        for (Map.Entry<String, Attr> e : attributes.entrySet()) {
            infos[i++] = new MBeanAttributeInfo(e.getKey(), e.getValue().type, e.getValue().description, true, false, false);
        }
        this.info = new MBeanInfo(MetricsJmx.class.getName(), "stytch-migration: one MigrationFilter's logins, failures"
                + " and time spent on Stytch and the database since init", infos, null, null, null);
    }

    private void counter(String name, String description, Supplier<Long> value) {
        attributes.put(name, new Attr("long", description, value::get));
    }

    private void gauge(String name, String description, Supplier<Integer> value) {
        attributes.put(name, new Attr("int", description, value::get));
    }

    private void timer(String prefix, String what, MigrationMetrics.Timer t) {
        counter(prefix + "Calls", what + " since init", t::count);
        attributes.put(prefix + "TimeTotalMillis", new Attr("double", "time spent in " + what + " since init, ms",
                t::totalMillis));
        attributes.put(prefix + "TimeP50Millis", new Attr("double", "median of the latest " + MigrationMetrics.RECENT
                + " " + what + ", ms", () -> t.recentMillis(0.50)));
        attributes.put(prefix + "TimeP99Millis", new Attr("double", "99th percentile of the latest "
                + MigrationMetrics.RECENT + " " + what + ", ms", () -> t.recentMillis(0.99)));
    }

    /** {@code already_linked} / {@code ALREADY_LINKED} → {@code AlreadyLinked}. */
    static String camel(String name) {
        StringBuilder b = new StringBuilder();
        for (String part : name.toLowerCase(Locale.ROOT).split("_")) {
            if (!part.isEmpty()) {
                b.append(Character.toUpperCase(part.charAt(0))).append(part, 1, part.length());
            }
        }
        return b.toString();
    }

    /**
     * The bean's name: {@code io.github.stytchmigration:type=MigrationFilter,context=<path>,name=<filter>}, the
     * values quoted when they hold a character JMX reserves.
     */
    public static ObjectName objectName(String contextPath, String filterName, int instance) {
        String context = contextPath == null || contextPath.isEmpty() ? "/" : contextPath;
        try {
            return new ObjectName(DOMAIN + ":type=MigrationFilter,context=" + value(context) + ",name="
                    + value(filterName) + (instance > 1 ? ",instance=" + instance : ""));
        } catch (JMException e) {
            throw new IllegalArgumentException("no JMX name for filter [" + filterName + "]", e);
        }
    }

    private static String value(String v) {
        for (char c : v.toCharArray()) {
            if (",=:\"*?\n".indexOf(c) >= 0) {
                return ObjectName.quote(v);
            }
        }
        return v;
    }

    /**
     * Registers the metrics of one filter on the platform MBean server. Two filters of the same name in the same
     * context (two embedded servers in one JVM) get {@code instance=2}, … . Never throws: a JMX failure is logged
     * and the filter runs without its bean.
     *
     * @return the registered name, to unregister at destroy; null when registration failed
     */
    public static ObjectName register(MigrationMetrics metrics, String contextPath, String filterName) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        MetricsJmx bean = new MetricsJmx(metrics);
        for (int instance = 1; instance <= 100; instance++) {
            ObjectName name = objectName(contextPath, filterName, instance);
            try {
                server.registerMBean(bean, name);
                return name;
            } catch (InstanceAlreadyExistsException e) {
                // another live filter has this name: try the next instance number
            } catch (JMException | RuntimeException e) {
                LOG.warn("Could not register the metrics MBean {}: {}", name, e.toString());
                return null;
            }
        }
        LOG.warn("Could not register the metrics MBean of filter [{}]: 100 instances of that name exist", filterName);
        return null;
    }

    /** Unregisters a bean {@link #register} returned; null and an already gone bean are no-ops. */
    public static void unregister(ObjectName name) {
        if (name == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // already gone
        } catch (JMException | RuntimeException e) {
            LOG.warn("Could not unregister the metrics MBean {}: {}", name, e.toString());
        }
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Attr a = attributes.get(attribute);
        if (a == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return a.value.get();
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("read-only: " + attribute.getName());
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        AttributeList list = new AttributeList();
        for (String name : names) {
            Attr a = attributes.get(name);
            if (a != null) {
                list.add(new Attribute(name, a.value.get()));
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("no operations: " + actionName);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
