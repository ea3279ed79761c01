package io.taskagent.backup.worker.restore;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A schema section of pg_dump's plain output, split into the statements before its first object (pg_dump's SETs)
 * and its objects, each with pg_dump's type for it ({@code TABLE}, {@code INDEX}, {@code FK CONSTRAINT}...), in
 * order. pg_dump writes a header comment before every object; the split follows those headers.
 *
 * @param preamble the statements before the first object
 * @param entries  the objects, in pg_dump's (dependency) order
 */
record SchemaScript(String preamble, List<Entry> entries) {

    /** pg_dump's header before each object of a plain-format script. */
    private static final Pattern ENTRY = Pattern.compile("(?m)^--\\n-- Name: .*; Type: (.*); Schema: .*; Owner: .*\\n--$");
    private static final Pattern TRAILING_SETS = Pattern.compile("(?:^SET [^\\n]*;\\s*)+\\z", Pattern.MULTILINE);
    /** Comment lines and blank lines at the end of a script (pg_dump's "dump complete" footer). */
    private static final Pattern TRAILING_COMMENTS = Pattern.compile("(?:\\s*^--[^\\n]*$)+\\s*\\z", Pattern.MULTILINE);

    /** An identifier as pg_dump writes it: plain, or double-quoted with doubled quotes inside. */
    static final String IDENT = "(?:\"(?:[^\"]|\"\")*\"|[^\\s.\"(]+)";
    /** A name, qualified or not. */
    static final String NAME = IDENT + "(?:\\." + IDENT + ")?";
    /** The table a key, an index or a foreign key is on. */
    private static final Pattern TABLE = Pattern.compile("(?m)^(?:ALTER TABLE (?:ONLY )?(" + NAME + ")\\s"
            + "|CREATE (?:UNIQUE )?INDEX " + IDENT + " ON (?:ONLY )?(" + NAME + ")\\s)");

    /** One object of a schema section: its pg_dump type and its statements. */
    record Entry(String type, String sql) {
        /** Keys and indexes, on different tables or not, never depend on each other. */
        boolean keyOrIndex() {
            return type.equals("CONSTRAINT") || type.equals("INDEX");
        }

        boolean foreignKey() {
            return type.equals("FK CONSTRAINT");
        }

        /** The table a key, index or foreign key is on, as written ({@code schema.name}), or empty if not found. */
        String table() {
            Matcher m = TABLE.matcher(sql);
            return !m.find() ? "" : m.group(1) != null ? m.group(1) : m.group(2);
        }

        /**
         * A SQL-standard function body ({@code BEGIN ATOMIC ... END}) holds semicolons that end no statement, which the
         * JDBC driver's own statement splitting gets wrong in a longer script ("cannot insert multiple commands into a
         * prepared statement"): such an object goes to the server as the string of a {@code DO} block's
         * {@code EXECUTE}, which the server parses as a whole.
         */
        String forDriver() {
            if (!sql.contains("BEGIN ATOMIC")) {
                return sql;
            }
            String body = tag("b");
            String block = tag("d");
            return "DO " + block + " BEGIN EXECUTE " + body + sql + body + "; END " + block;
        }

        private String tag(String prefix) {
            for (int n = 0; ; n++) {
                String tag = "$taskagent_" + prefix + n + "$";
                if (!sql.contains(tag)) {
                    return tag;
                }
            }
        }
    }

    static SchemaScript of(String sql) {
        Matcher m = ENTRY.matcher(sql);
        List<Entry> entries = new ArrayList<>();
        String preamble = null;
        String type = null;
        int from = 0;
        while (m.find()) {
            if (type == null) {
                preamble = sql.substring(0, m.start());
            } else {
                entries.add(new Entry(type, sql.substring(from, m.start())));
            }
            type = m.group(1);
            from = m.end();
        }
        if (type == null) {
            return new SchemaScript("", List.of(new Entry("", sql)));
        }
        // the last object ends where pg_dump's closing comment begins: each entry is its statements alone, so that
        // its last statement ends the entry (the foreign key rewrite looks for that end)
        String last = sql.substring(from);
        Matcher footer = TRAILING_COMMENTS.matcher(last);
        entries.add(new Entry(type, footer.find() ? last.substring(0, footer.start()) + "\n" : last));
        // pg_dump writes the SETs an object needs (e.g. default_tablespace) before its header: they go with it
        for (int i = 0; i + 1 < entries.size(); i++) {
            String text = entries.get(i).sql();
            Matcher sets = TRAILING_SETS.matcher(text);
            if (sets.find() && sets.start() > 0) {
                entries.set(i, new Entry(entries.get(i).type(), text.substring(0, sets.start())));
                entries.set(i + 1, new Entry(entries.get(i + 1).type(), sets.group() + "\n" + entries.get(i + 1).sql()));
            }
        }
        // pg_dump sets default_tablespace only when it changes; entries may run on different connections, so each
        // carries the value in effect where it stands
        if (sql.contains("SET default_tablespace = ")) {
            String current = lastTablespace(preamble, null);
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                String own = lastTablespace(e.sql(), null);
                if (own == null && current != null) {
                    entries.set(i, new Entry(e.type(), current + "\n" + e.sql()));
                }
                current = own != null ? own : current;
            }
        }
        return new SchemaScript(preamble, entries);
    }

    private static final Pattern TABLESPACE = Pattern.compile("(?m)^SET default_tablespace = [^\n]*;$");

    /** The last {@code SET default_tablespace} statement of {@code sql}, or {@code otherwise}. */
    private static String lastTablespace(String sql, String otherwise) {
        Matcher m = TABLESPACE.matcher(sql);
        String last = otherwise;
        while (m.find()) {
            last = m.group();
        }
        return last;
    }
}
