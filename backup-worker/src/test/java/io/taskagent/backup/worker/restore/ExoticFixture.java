package io.taskagent.backup.worker.restore;

import io.taskagent.backup.testsupport.Infrastructure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The schema that is not TaskAgent's ({@code fixtures/exotic-schema.sql}), loaded into a fresh database. */
final class ExoticFixture {

    private ExoticFixture() {
    }

    static void load(Infrastructure infra, String database) throws IOException, SQLException {
        infra.dropDatabase(database);
        infra.ensureDatabase(database);
        try (Connection c = infra.connect(database); Statement s = c.createStatement()) {
            s.execute(Files.readString(Path.of("src", "test", "resources", "fixtures", "exotic-schema.sql")));
        }
    }
}
