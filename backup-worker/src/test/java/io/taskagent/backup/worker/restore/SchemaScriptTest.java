package io.taskagent.backup.worker.restore;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaScriptTest {

    /** The shape of pg_dump's plain post-data output. */
    static final String POST_DATA = """
            SET statement_timeout = 0;
            SELECT pg_catalog.set_config('search_path', '', false);

            --
            -- Name: tasks tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
            --

            ALTER TABLE ONLY public.tasks
                ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);


            SET default_tablespace = fast;

            --
            -- Name: tasks_goal_id_idx; Type: INDEX; Schema: public; Owner: -
            --

            CREATE INDEX tasks_goal_id_idx ON public.tasks USING btree (goal_id);


            --
            -- Name: parent_idx_p1; Type: INDEX ATTACH; Schema: public; Owner: -
            --

            ALTER INDEX public.parent_idx ATTACH PARTITION public.p1_idx;


            --
            -- Name: tasks tasks_goal_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
            --

            ALTER TABLE ONLY public.tasks
                ADD CONSTRAINT tasks_goal_id_fkey FOREIGN KEY (goal_id) REFERENCES public.goals(id);
            """;

    @Test
    void splitsASectionIntoItsObjectsWithTheSetsEachNeeds() {
        SchemaScript script = SchemaScript.of(POST_DATA);
        assertThat(script.preamble()).contains("SET statement_timeout = 0;", "set_config('search_path', '', false)");
        assertThat(script.entries()).extracting(SchemaScript.Entry::type)
                .containsExactly("CONSTRAINT", "INDEX", "INDEX ATTACH", "FK CONSTRAINT");
        assertThat(script.entries().get(0).sql()).contains("ADD CONSTRAINT tasks_pkey").doesNotContain("SET ");
        assertThat(script.entries().get(1).sql().strip())
                .as("the SET written before an object's header goes with that object")
                .startsWith("SET default_tablespace = fast;").contains("CREATE INDEX tasks_goal_id_idx");
        assertThat(script.entries().get(2).sql())
                .as("each object carries the tablespace in effect where it stands: it may run on another connection")
                .startsWith("SET default_tablespace = fast;");
        assertThat(script.entries().get(0).sql()).doesNotContain("default_tablespace");
        assertThat(script.entries().get(0).keyOrIndex()).isTrue();
        assertThat(script.entries().get(1).keyOrIndex()).isTrue();
        assertThat(script.entries().get(2).keyOrIndex()).as("attaching waits for both indexes").isFalse();
        assertThat(script.entries().get(3).foreignKey()).isTrue();
        assertThat(script.entries()).extracting(SchemaScript.Entry::table)
                .containsExactly("public.tasks", "public.tasks", "", "public.tasks");
        assertThat(SchemaScript.of("--\n-- Name: x; Type: INDEX; Schema: s; Owner: -\n--\n\n"
                + "CREATE UNIQUE INDEX \"Odd \"\"idx\"\"\" ON ONLY \"Billing Dept\".\"Order\" USING btree (id);\n")
                .entries().get(0).table()).isEqualTo("\"Billing Dept\".\"Order\"");
        assertThat(String.join("", script.entries().stream().map(SchemaScript.Entry::sql).toList())
                .replaceAll("\\s+", " ")).as("nothing lost").contains("REFERENCES public.goals(id);");
    }

    @Test
    void theLastObjectEndsWithItsStatementNotWithPgDumpsClosingComment() {
        SchemaScript script = SchemaScript.of(POST_DATA + "\n\n--\n-- PostgreSQL database dump complete\n--\n\n");
        SchemaScript.Entry last = script.entries().get(script.entries().size() - 1);
        assertThat(last.sql().strip()).endsWith("REFERENCES public.goals(id);");
        assertThat(last.sql()).doesNotContain("dump complete");
        assertThat(SchemaScript.of("--\n-- Name: f; Type: FUNCTION; Schema: public; Owner: -\n--\n\n"
                + "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$\n-- a comment in the body\nSELECT 1\n$$;\n")
                .entries().get(0).sql()).as("a comment inside the statement stays").contains("-- a comment in the body");
    }

    @Test
    void aForeignKeyIsAddedNotValidThenValidatedInItsTablesChainEvenWhenItIsTheSectionsLast() {
        SchemaScript script = SchemaScript.of(POST_DATA + "\n\n--\n-- PostgreSQL database dump complete\n--\n\n");
        ParallelCreate.AddThenValidate split = ParallelCreate.addThenValidate(
                script.entries().get(script.entries().size() - 1).sql());
        assertThat(split).isNotNull();
        assertThat(split.add().strip()).endsWith("REFERENCES public.goals(id) NOT VALID;");
        assertThat(split.validate()).isEqualTo(new ParallelCreate.Step("public.tasks",
                "ALTER TABLE public.tasks VALIDATE CONSTRAINT tasks_goal_id_fkey"));
        assertThat(ParallelCreate.addThenValidate("ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_fk FOREIGN KEY (a)"
                + " REFERENCES public.u(id) NOT VALID;\n")).as("not validated in the source either").isNull();
    }

    @Test
    void aSqlStandardFunctionBodyReachesTheServerWhole() {
        SchemaScript.Entry function = new SchemaScript.Entry("FUNCTION", """
                CREATE FUNCTION s.f() RETURNS bigint LANGUAGE sql
                BEGIN ATOMIC
                 SELECT 1;
                 SELECT $taskagent_b0$;
                END;
                """);
        assertThat(function.forDriver()).startsWith("DO $taskagent_d0$ BEGIN EXECUTE $taskagent_b1$CREATE FUNCTION")
                .endsWith("END;\n$taskagent_b1$; END $taskagent_d0$");
        SchemaScript.Entry plain = new SchemaScript.Entry("INDEX", "CREATE INDEX i ON t (x);");
        assertThat(plain.forDriver()).isSameAs(plain.sql());
    }

    @Test
    void aScriptWithoutObjectHeadersIsOneStatementBatch() {
        SchemaScript script = SchemaScript.of("CREATE INDEX i ON t (x);");
        assertThat(script.preamble()).isEmpty();
        assertThat(script.entries()).singleElement().extracting(SchemaScript.Entry::sql)
                .isEqualTo("CREATE INDEX i ON t (x);");
    }
}
