package io.taskagent.backup.worker.backup;

import java.util.Set;

/**
 * How a column's values are written in the JSON file. The choice keeps every value exact: numbers keep PostgreSQL's
 * own digits, {@code jsonb} is embedded as JSON, and every other type is PostgreSQL's text form in a JSON string,
 * which PostgreSQL reads back to the identical value.
 */
public enum ColumnKind {
    /** smallint, integer, bigint, numeric, real, double precision: a JSON number ({@code "NaN"}, {@code "Infinity"} as strings). */
    NUMBER,
    /** boolean: {@code true} / {@code false}. */
    BOOLEAN,
    /** jsonb: the value embedded as JSON. */
    JSON,
    /** everything else (text, uuid, timestamps, bytea as {@code \x..}, arrays as {@code {..}}, json, ...): a string. */
    STRING;

    private static final Set<String> NUMBERS = Set.of("int2", "int4", "int8", "numeric", "float4", "float8");

    /** The kind for a (base) type name from {@code pg_type.typname}. */
    public static ColumnKind of(String baseTypeName) {
        if (NUMBERS.contains(baseTypeName)) {
            return NUMBER;
        }
        return switch (baseTypeName) {
            case "bool" -> BOOLEAN;
            case "jsonb" -> JSON;
            default -> STRING;
        };
    }
}
