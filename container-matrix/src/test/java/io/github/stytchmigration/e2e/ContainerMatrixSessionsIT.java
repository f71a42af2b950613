package io.github.stytchmigration.e2e;

import io.github.stytchmigration.matrix.Cell;
import io.github.stytchmigration.testing.ServletContainer;

/**
 * The session scenarios (frontend SDK cookies and Bearer JWTs, logout, MigrationLogin) in this JVM's cell of
 * the container matrix: javax and jakarta, the plain jar and the one-jar with jose4j relocated inside it.
 */
class ContainerMatrixSessionsIT extends SessionScenarios {
    private final Cell cell = Cell.current();

    @Override
    ServletContainer container() {
        return cell.container();
    }
}
