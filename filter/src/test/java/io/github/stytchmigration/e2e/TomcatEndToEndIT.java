package io.github.stytchmigration.e2e;

import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;

/**
 * The end-to-end scenarios in Tomcat 10.1, configured the way a Tomcat operator does it: the
 * filter in web.xml, the DataSource in context.xml, found through JNDI.
 */
class TomcatEndToEndIT extends EndToEndScenarios {
    @Override
    ServletContainer container() {
        return ServletContainer.TOMCAT;
    }

    @Override
    InitParams withDatabase(InitParams params, TestDatabase db) {
        return params.jndi("java:comp/env/jdbc/users");
    }

    @Override
    ContextXml contextXml(TestDatabase db) {
        return new ContextXml().resource("jdbc/users", ContextXml.dbcpDataSource(db, 10));
    }
}
