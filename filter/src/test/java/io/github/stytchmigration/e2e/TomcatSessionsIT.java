package io.github.stytchmigration.e2e;

import io.github.stytchmigration.testing.ServletContainer;

/** The session scenarios in Tomcat 10.1. */
class TomcatSessionsIT extends SessionScenarios {
    @Override
    ServletContainer container() {
        return ServletContainer.TOMCAT;
    }
}
