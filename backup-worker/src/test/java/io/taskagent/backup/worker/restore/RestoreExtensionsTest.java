package io.taskagent.backup.worker.restore;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The extensions a backup's schema creates, read from pg_dump's pre-data section as it writes them. */
class RestoreExtensionsTest {

    @Test
    void plainAndQuotedNamesAreFoundAndNothingElse() {
        String preData = """
                --
                -- Name: citext; Type: EXTENSION; Schema: -; Owner: -
                --

                CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
                COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';
                CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;
                CREATE EXTENSION pg_trgm;
                CREATE TABLE public.t (note text DEFAULT 'CREATE EXTENSION nope;');
                """;
        assertThat(RestoreJobRunner.extensions(preData)).containsExactly("citext", "uuid-ossp", "pg_trgm");
        assertThat(RestoreJobRunner.extensions("CREATE TABLE public.t (id int);")).isEmpty();
        assertThat(RestoreJobRunner.extensions(null)).isEmpty();
    }
}
