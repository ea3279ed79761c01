package io.taskagent.backup.worker.backup;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.TemporaryPostgres;
import io.taskagent.backup.worker.WorkerTestContext;
import io.taskagent.backup.worker.format.BackupFileReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A source server that accepts TLS connections only, its certificate signed by a throw-away CA: the worker's JDBC
 * connections and pg_dump (which gets the URL's {@code sslmode} and {@code sslrootcert}) both verify it against that
 * CA, and the backup holds schema and rows; a connection without TLS is refused by the server.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TlsSourceIT {

    static final String CATALOG = "backup_catalog_it_tls";
    static TemporaryPostgres server;
    static Path storage;
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        server = TemporaryPostgres.startWithTls();
        server.createDatabase("taskagent");
        try (Connection c = server.connect("taskagent"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)");
            s.execute("INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 1000) g");
        }
        storage = WorkerTestContext.register(registry, CATALOG, "taskagent");
        String url = server.jdbcUrl("taskagent") + "?sslmode=verify-full&sslrootcert=" + server.caCertificate();
        registry.add("backup.source.url", () -> url);
        registry.add("backup.source.username", () -> TemporaryPostgres.USER);
        registry.add("backup.source.password", () -> "");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Autowired
    ConfirmingPublisher publisher;

    @Test
    void aBackupOfATlsOnlyServerVerifiesItsCertificateAndHoldsSchemaAndRows() throws Exception {
        BackupCompleted backup = WorkerTestContext.backUp(publisher, events);
        assertThat(backup.rowCounts()).isEqualTo(Map.of("public.notes", 1000L));
        BackupFileReader file = BackupFileReader.read(storage.resolve(backup.fileName()));
        assertThat(file.schema().preData()).as("pg_dump reached the TLS-only server")
                .contains("CREATE TABLE public.notes");

        Properties plain = new Properties();
        plain.setProperty("user", TemporaryPostgres.USER);
        plain.setProperty("sslmode", "disable");
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl("taskagent"), plain).close())
                .as("the server refuses a connection without TLS").hasMessageContaining("no pg_hba.conf entry");
    }

    @Test
    void theUrlsTlsSettingsReachPgDump() {
        assertThat(PgDump.tlsEnvironment("?sslmode=verify-ca&sslrootcert=%2Fetc%2Fca.crt&connectTimeout=5"))
                .containsExactly(Map.entry("PGSSLMODE", "verify-ca"), Map.entry("PGSSLROOTCERT", "/etc/ca.crt"));
        assertThat(PgDump.tlsEnvironment("?ssl=true")).containsExactly(Map.entry("PGSSLMODE", "verify-full"));
        assertThat(PgDump.tlsEnvironment(null)).isEmpty();
    }
}
