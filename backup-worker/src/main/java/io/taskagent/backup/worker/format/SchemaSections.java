package io.taskagent.backup.worker.format;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The {@code schema} of a backup file (format 2): the DDL of everything it holds, captured by {@code pg_dump
 * --schema-only} in the same snapshot as the rows, in pg_dump's two sections.
 *
 * @param preData  what must exist before the rows load: extensions, schemas, types, sequences, tables (defaults,
 *                 identity, generated columns), partitions, functions, views, materialized views (empty)
 * @param postData what is built after: primary, unique, check and exclusion constraints, indexes, foreign keys,
 *                 triggers, rules, row security policies, comments on those (materialized views are refreshed from
 *                 {@code refresh}: pg_dump counts their data as data)
 * @param dumpedBy the tool and its version, e.g. {@code pg_dump 15.20}
 * @param owners   whether owners and grants were kept (default: left out)
 * @param refresh  the materialized views that held data in the snapshot, quoted and qualified, in pg_dump's
 *                 dependency order: refreshed after the load (pg_dump counts their refresh as data, not schema)
 */
@JsonPropertyOrder({"dumped_by", "owners", "pre_data", "post_data", "refresh_materialized_views"})
public record SchemaSections(String preData, String postData, String dumpedBy, boolean owners,
                             @JsonProperty("refresh_materialized_views") List<String> refresh) {

    public SchemaSections {
        if (preData == null || postData == null) {
            throw new IllegalArgumentException("the schema sections are incomplete (pre_data and post_data expected)");
        }
        refresh = refresh == null ? List.of() : List.copyOf(refresh);
    }

    /**
     * The same sections with the materialized views to refresh, in the order pg_dump creates them in {@code preData}
     * (its dependency order: a view built on another comes after it, whatever their ages); a view not found there
     * keeps its place after those found.
     */
    public SchemaSections withRefresh(List<String> views) {
        List<String> ordered = new java.util.ArrayList<>(views);
        ordered.sort(java.util.Comparator.comparingInt(view -> {
            int at = preData.indexOf("CREATE MATERIALIZED VIEW " + view + " AS");
            return at < 0 ? Integer.MAX_VALUE : at;
        }));
        return new SchemaSections(preData, postData, dumpedBy, owners, ordered);
    }
}
