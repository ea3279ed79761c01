package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.worker.WorkerTestContext;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.format.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Byte-level mutations of real backup files and their manifests, each one then verified ({@code RequestVerify}) and
 * restored ({@code RequestRestore}: replace mode into a database holding other rows, some in create mode into an empty
 * database, some with {@code create_database}) through the worker's own command path, on the real catalog, broker and
 * PostgreSQL. Every mutation must be refused by both with a message naming the problem, and no target may change.
 * <p>
 * {@link #LANES} real backups of one small database are mutated side by side (one mutation per backup at a time, each
 * lane with its own restore targets, so that no restore is refused for another's lock); after each round every file
 * and manifest is put back and the next round starts. The mutations are drawn from a seeded {@link Random} per
 * mutation index: the same kinds at the same relative places on every run.
 * <p>
 * Subclasses choose the worker's configuration (in the clear, or encrypted) and the number of mutations.
 */
abstract class MutationCampaign {

    static final int LANES = 8;
    static final String SOURCE = "mut_src";

    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;

    /** How many mutations of the file, and of the manifest; the seed. */
    abstract int fileMutations();

    abstract int manifestMutations();

    abstract long seed();

    /** A prefix of this class's databases and restore targets (unique on the shared server). */
    abstract String prefix();

    /** Worker settings shared by both classes: catalog, source, and per lane a replace target and an empty target. */
    static Path register(DynamicPropertyRegistry registry, String catalogName, String prefix) throws Exception {
        Infrastructure infra = Infrastructure.get();
        createSource(infra);
        Path storage = WorkerTestContext.register(registry, catalogName, SOURCE);
        registry.add("backup.worker.concurrency", () -> String.valueOf(LANES)); // a round's jobs side by side
        for (int lane = 0; lane < LANES; lane++) {
            String full = prefix + "_full" + lane;
            String empty = prefix + "_empty" + lane;
            registry.add("backup.restore.targets." + prefix + "full" + lane + ".url", () -> infra.jdbcUrl(full));
            registry.add("backup.restore.targets." + prefix + "full" + lane + ".username", () -> infra.pgUser);
            registry.add("backup.restore.targets." + prefix + "full" + lane + ".password", () -> infra.pgPassword);
            registry.add("backup.restore.targets." + prefix + "empty" + lane + ".url", () -> infra.jdbcUrl(empty));
            registry.add("backup.restore.targets." + prefix + "empty" + lane + ".username", () -> infra.pgUser);
            registry.add("backup.restore.targets." + prefix + "empty" + lane + ".password", () -> infra.pgPassword);
        }
        return storage;
    }

    static final String DDL = """
            CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE,
                                    created_at timestamptz NOT NULL, balance numeric(10,2) NOT NULL DEFAULT 0);
            CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers,
                                 total numeric(12,2), placed_at timestamptz, note text, tags text[], meta jsonb);
            CREATE TABLE order_lines (order_id bigint REFERENCES orders, line_no int, sku text NOT NULL,
                                      qty int CHECK (qty > 0), price numeric(10,2), PRIMARY KEY (order_id, line_no));
            """;

    /** The source: three tables, 1,100 rows of several types (re-created each run, so a run is reproducible). */
    static void createSource(Infrastructure infra) throws Exception {
        try (Statement s = fresh(infra, SOURCE).createStatement()) {
            s.execute(DDL);
            s.execute("""
                    INSERT INTO customers (name, email, created_at, balance)
                    SELECT 'Customer ' || g || ' ' || repeat('é', g % 3), 'c' || g || '@example.com',
                           timestamptz '2024-01-01 00:00:00+00' + g * interval '7 hours', (g * 13.37) % 1000
                    FROM generate_series(1, 200) g;
                    INSERT INTO orders (customer_id, total, placed_at, note, tags, meta)
                    SELECT 1 + g % 200, g * 1.25, timestamptz '2024-02-01 00:00:00+00' + g * interval '1 hour',
                           CASE WHEN g % 5 = 0 THEN NULL ELSE 'note "' || g || E'"\\n line' END,
                           ARRAY['t' || g % 4, 'x,y'], jsonb_build_object('n', g, 'gift', g % 2 = 0)
                    FROM generate_series(1, 300) g;
                    INSERT INTO order_lines (order_id, line_no, sku, qty, price)
                    SELECT 1 + g % 300, g, 'SKU-' || g, 1 + g % 9, (g % 50) + 0.99
                    FROM generate_series(1, 600) g;""");
        }
    }

    /** A replace target: the same tables, other rows (what a wrongly accepted restore would overwrite). */
    static void createTargets(Infrastructure infra, String prefix) throws Exception {
        for (int lane = 0; lane < LANES; lane++) {
            createFull(infra, prefix, lane);
            createEmpty(infra, prefix, lane);
        }
    }

    /**
     * Lane {@code lane}'s replace target, afresh: created when missing, else emptied by dropping its schema (no
     * DROP DATABASE, which forces a checkpoint: on a busy shared server, seconds each).
     */
    static void createFull(Infrastructure infra, String prefix, int lane) throws Exception {
        try (Statement s = fresh(infra, prefix + "_full" + lane).createStatement()) {
            s.execute(DDL);
            s.execute("""
                    INSERT INTO customers (name, email, created_at) VALUES ('Keep', 'keep@example.com', now());
                    INSERT INTO orders (customer_id, total, note) VALUES (1, 42, 'keep me');
                    INSERT INTO order_lines VALUES (1, 1, 'KEEP', 1, 1.00);""");
        }
    }

    /** Lane {@code lane}'s empty target (for create mode), afresh (as {@link #createFull}). */
    static void createEmpty(Infrastructure infra, String prefix, int lane) throws Exception {
        fresh(infra, prefix + "_empty" + lane);
    }

    /** Database {@code name} with nothing in it: created when missing, else its public schema dropped and created. */
    private static Connection fresh(Infrastructure infra, String name) throws Exception {
        Connection c;
        try {
            c = connection(name);
        } catch (java.sql.SQLException e) {
            if (!"3D000".equals(e.getSQLState())) { // not "database does not exist"
                throw e;
            }
            infra.ensureDatabase(name);
            c = connection(name);
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
            try (ResultSet rs = s.executeQuery("""
                    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')""")) {
                rs.next();
                assertThat(rs.getLong(1)).as("relations left in %s", name).isZero();
            }
        }
        return c;
    }

    /**
     * One connection per database, kept for the whole run (opening one per fingerprint was most of the run's time):
     * opened when first needed, and again when closed (a database dropped and created again takes its connections).
     */
    private static final Map<String, Connection> CONNECTIONS = new HashMap<>();

    static Connection connection(String database) throws java.sql.SQLException {
        Connection c = CONNECTIONS.get(database);
        if (c == null || c.isClosed()) {
            c = Infrastructure.get().connect(database);
            CONNECTIONS.put(database, c);
        }
        return c;
    }

    static void closeConnection(String database) throws java.sql.SQLException {
        Connection c = CONNECTIONS.remove(database);
        if (c != null) {
            c.close();
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void closeConnections() throws java.sql.SQLException {
        for (String database : new ArrayList<>(CONNECTIONS.keySet())) {
            closeConnection(database);
        }
    }

    /** The relations of a target and, when it has the tables, every row of them digested (one query). */
    static String fingerprint(String database) throws Exception {
        try (Statement s = connection(database).createStatement()) {
            String relations;
            boolean tables;
            try (ResultSet rs = s.executeQuery("""
                    SELECT count(*), bool_or(c.relname = 'order_lines') FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'""")) {
                rs.next();
                relations = rs.getLong(1) + " relations";
                tables = rs.getBoolean(2);
            }
            if (!tables) {
                return relations;
            }
            try (ResultSet rs = s.executeQuery("""
                    SELECT count(*) || ' rows ' || md5(string_agg(r, '|' ORDER BY r)) FROM (
                        SELECT 'c' || t::text AS r FROM public.customers t UNION ALL
                        SELECT 'o' || t::text FROM public.orders t UNION ALL
                        SELECT 'l' || t::text FROM public.order_lines t) rows""")) {
                rs.next();
                return relations + ", " + rs.getString(1);
            }
        }
    }

    static boolean databaseExists(String name) throws Exception {
        try (Statement s = connection("postgres").createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    // ---------------------------------------------------------------------------------------------------- mutations

    enum Kind {
        BIT_FLIP, BYTE_CHANGE, BYTES_INSERTED, BYTES_DELETED, TRUNCATED, BLOCKS_SWAPPED, GARBAGE_APPENDED, RANGE_ZEROED,
        OTHER_BACKUPS_FILE,
        MANIFEST_SHA256, MANIFEST_SIZE, MANIFEST_FIELD, MANIFEST_TRUNCATED, MANIFEST_NOT_JSON, MANIFEST_BYTE,
        MANIFEST_MISSING;

        boolean manifest() {
            return name().startsWith("MANIFEST");
        }
    }

    private static final Kind[] FILE_KINDS = {Kind.BIT_FLIP, Kind.BYTE_CHANGE, Kind.BYTES_INSERTED, Kind.BYTES_DELETED,
            Kind.TRUNCATED, Kind.BLOCKS_SWAPPED, Kind.GARBAGE_APPENDED, Kind.RANGE_ZEROED, Kind.OTHER_BACKUPS_FILE};
    private static final Kind[] MANIFEST_KINDS = {Kind.MANIFEST_SHA256, Kind.MANIFEST_SIZE, Kind.MANIFEST_FIELD,
            Kind.MANIFEST_FIELD, Kind.MANIFEST_TRUNCATED, Kind.MANIFEST_NOT_JSON, Kind.MANIFEST_BYTE,
            Kind.MANIFEST_BYTE, Kind.MANIFEST_MISSING};

    /** What a mutation did: the new file (or null: unchanged) and manifest (null: unchanged; empty: deleted). */
    record Mutation(int index, Kind kind, String what, byte[] file, byte[] manifest) {
    }

    /** A lane: one real backup, its original bytes, and its targets. */
    record Lane(int number, BackupCompleted backup, Path file, Path manifest, byte[] fileBytes, byte[] manifestBytes) {
    }

    static Mutation mutate(int index, Kind kind, Random random, Lane lane, Lane other) {
        byte[] f = lane.fileBytes();
        int n = f.length;
        switch (kind) {
            case BIT_FLIP -> {
                byte[] m = f.clone();
                int at = random.nextInt(n);
                int bit = random.nextInt(8);
                m[at] ^= (byte) (1 << bit);
                return new Mutation(index, kind, "bit " + bit + " of byte " + at + " of " + n, m, null);
            }
            case BYTE_CHANGE -> {
                byte[] m = f.clone();
                int at = random.nextInt(n);
                m[at] = (byte) (f[at] + 1 + random.nextInt(255));
                return new Mutation(index, kind, "byte " + at + " of " + n, m, null);
            }
            case BYTES_INSERTED -> {
                int at = random.nextInt(n + 1);
                byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                byte[] m = concat(Arrays.copyOfRange(f, 0, at), extra, Arrays.copyOfRange(f, at, n));
                return new Mutation(index, kind, extra.length + " bytes at " + at, m, null);
            }
            case BYTES_DELETED -> {
                int len = 1 + random.nextInt(16);
                int at = random.nextInt(n - len + 1);
                byte[] m = concat(Arrays.copyOfRange(f, 0, at), Arrays.copyOfRange(f, at + len, n));
                return new Mutation(index, kind, len + " bytes at " + at, m, null);
            }
            case TRUNCATED -> {
                int at = random.nextInt(n);
                return new Mutation(index, kind, "cut at " + at + " of " + n, Arrays.copyOf(f, at), null);
            }
            case BLOCKS_SWAPPED -> {
                for (int attempt = 0; ; attempt++) {
                    int len = 1 + random.nextInt(Math.max(1, Math.min(4096, n / 4)));
                    int a = random.nextInt(n - 2 * len + 1);
                    int b = a + len + random.nextInt(n - a - 2 * len + 1);
                    byte[] m = f.clone();
                    System.arraycopy(f, a, m, b, len);
                    System.arraycopy(f, b, m, a, len);
                    if (!Arrays.equals(m, f)) {
                        return new Mutation(index, kind, len + " bytes at " + a + " and " + b, m, null);
                    }
                    assertThat(attempt).as("blocks that differ").isLessThan(100);
                }
            }
            case GARBAGE_APPENDED -> {
                byte[] extra = new byte[1 + random.nextInt(64)];
                random.nextBytes(extra);
                return new Mutation(index, kind, extra.length + " bytes", concat(f, extra), null);
            }
            case RANGE_ZEROED -> {
                for (int attempt = 0; ; attempt++) {
                    int len = 1 + random.nextInt(Math.max(1, Math.min(2048, n / 4)));
                    int at = random.nextInt(n - len + 1);
                    byte[] m = f.clone();
                    Arrays.fill(m, at, at + len, (byte) 0);
                    if (!Arrays.equals(m, f)) {
                        return new Mutation(index, kind, len + " bytes at " + at, m, null);
                    }
                    assertThat(attempt).as("a range not already zero").isLessThan(100);
                }
            }
            case OTHER_BACKUPS_FILE -> {
                return new Mutation(index, kind, "the file of lane " + other.number(), other.fileBytes(), null);
            }
            default -> {
                return mutateManifest(index, kind, random, lane, other);
            }
        }
    }

    static Mutation mutateManifest(int index, Kind kind, Random random, Lane lane, Lane other) {
        byte[] original = lane.manifestBytes();
        String text = new String(original, StandardCharsets.UTF_8);
        Manifest m = Manifest.parse(original);
        switch (kind) {
            case MANIFEST_SHA256 -> {
                String sha = switch (random.nextInt(3)) {
                    case 0 -> Manifest.parse(other.manifestBytes()).sha256();
                    case 1 -> flipHex(m.sha256(), random);
                    default -> m.sha256().toUpperCase();
                };
                return manifest(index, kind, "sha256 " + sha, with(m, "sha256", sha));
            }
            case MANIFEST_SIZE -> {
                long size = switch (random.nextInt(4)) {
                    case 0 -> m.sizeBytes() + 1;
                    case 1 -> m.sizeBytes() - 1;
                    case 2 -> 0;
                    default -> Manifest.parse(other.manifestBytes()).sizeBytes();
                };
                return manifest(index, kind, "size " + size, with(m, "size", size));
            }
            case MANIFEST_FIELD -> {
                String[] fields = {"format", "format_version", "file_name", "compression", "backup_id", "target",
                        "backup_type", "created_at", "row_counts", "table_sha256", "encryption", "key_id"};
                String field = fields[random.nextInt(fields.length)];
                Object value = switch (field) {
                    case "format" -> "pg_dump";
                    case "format_version" -> random.nextBoolean() ? 1 : 3;
                    case "file_name" -> Manifest.parse(other.manifestBytes()).fileName();
                    case "compression" -> m.compression().name().equals("ZSTD") ? "gzip" : "zstd";
                    case "backup_id" -> random.nextBoolean() ? other.backup().jobId() : UUID.randomUUID();
                    case "target" -> "somewhere_else";
                    case "backup_type" -> "interval";
                    case "created_at" -> m.createdAt().plusSeconds(1 + random.nextInt(86_400));
                    case "row_counts" -> random.nextBoolean() && !m.rowCounts().isEmpty() ? Map.of()
                            : Map.of("public.customers", 199L);
                    case "table_sha256" -> {
                        Map<String, String> d = new TreeMap<>(m.tableSha256().isEmpty()
                                ? Map.of("public.customers", "0".repeat(64)) : m.tableSha256());
                        String table = d.keySet().stream().skip(random.nextInt(d.size())).findFirst().orElseThrow();
                        if (random.nextBoolean() || m.tableSha256().isEmpty()) {
                            d.put(table, flipHex(d.get(table), random));
                        } else {
                            d.remove(table);
                        }
                        yield d;
                    }
                    case "encryption" -> m.encryption() == null ? "tink-streaming-aead" : null;
                    default -> m.keyId() == null ? 12345 : m.keyId() + 1;
                };
                return manifest(index, kind, field + " " + value, with(m, field, value));
            }
            case MANIFEST_TRUNCATED -> {
                int at = random.nextInt(original.length);
                return manifest(index, kind, "cut at " + at + " of " + original.length, Arrays.copyOf(original, at));
            }
            case MANIFEST_NOT_JSON -> {
                byte[][] bodies = {new byte[0], "null".getBytes(), "[]".getBytes(), "\"manifest\"".getBytes(),
                        "42".getBytes(), "<manifest/>".getBytes(), text.replace("{", "(").getBytes(StandardCharsets.UTF_8),
                        randomBytes(random, 1 + random.nextInt(512))};
                int which = random.nextInt(bodies.length);
                return manifest(index, kind, "body " + which, bodies[which]);
            }
            case MANIFEST_BYTE -> {
                byte[] mutated = original.clone();
                int at = random.nextInt(mutated.length);
                if (random.nextBoolean()) {
                    mutated[at] ^= (byte) (1 << random.nextInt(8));
                } else {
                    mutated[at] = (byte) (original[at] + 1 + random.nextInt(255));
                }
                return manifest(index, kind, "byte " + at + " '" + (char) original[at] + "' of " + original.length,
                        mutated);
            }
            case MANIFEST_MISSING -> {
                return new Mutation(index, kind, "deleted", null, new byte[0]);
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
    }

    private static Mutation manifest(int index, Kind kind, String what, byte[] manifest) {
        return new Mutation(index, kind, what, null, manifest);
    }

    /** The manifest as JSON with one field set to {@code value} (as the worker writes it otherwise). */
    @SuppressWarnings("unchecked")
    private static byte[] with(Manifest m, String field, Object value) {
        Map<String, Object> json = BackupFormat.json().readValue(m.toJson(), LinkedHashMap.class);
        json.put(field.equals("size") ? "size_bytes" : field, value instanceof java.time.Instant i ? i.toString()
                : value instanceof UUID u ? u.toString() : value);
        return BackupFormat.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
    }

    private static String flipHex(String hex, Random random) {
        char[] c = hex.toCharArray();
        int at = random.nextInt(c.length);
        c[at] = c[at] == '0' ? '1' : '0';
        return new String(c);
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /**
     * A manifest whose bytes changed but which reads as the same manifest (JSON whitespace, the name of a field whose
     * value is null, the case or padding of the compression's name): nothing a reader of the manifest could tell, so
     * nothing verify can refuse. Counted apart, never silently.
     */
    static boolean sameManifest(Mutation mutation, Lane lane) {
        if (mutation.manifest() == null || mutation.manifest().length == 0) {
            return false;
        }
        try {
            Manifest mutated = Manifest.parse(mutation.manifest());
            return mutated != null && mutated.equals(Manifest.parse(lane.manifestBytes()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------- the run

    @Test
    void everyMutationOfTheFileAndOfTheManifestIsRefusedByVerifyAndRestoreAndNoTargetChanges() throws Exception {
        long started = System.nanoTime();
        Infrastructure infra = Infrastructure.get();
        createTargets(infra, prefix());
        try (Statement s = connection("postgres").createStatement()) {
            for (int l = 0; l < LANES; l++) { // left by a run that failed (a drop of none is cheap)
                s.execute("DROP DATABASE IF EXISTS " + prefix() + "_intact" + l + " WITH (FORCE)");
            }
        }
        Path storage = Path.of(storageDirectory());
        List<Lane> lanes = new ArrayList<>();
        // the lanes' backups, made side by side (the worker runs several jobs at once)
        List<UUID> backups = new ArrayList<>();
        for (int l = 0; l < LANES; l++) {
            io.taskagent.backup.model.RequestBackup request = io.taskagent.backup.model.RequestBackup.newJob(
                    "taskagent", "manual", "mutation-it");
            publisher.publishCommand(request);
            backups.add(request.jobId());
        }
        for (int l = 0; l < LANES; l++) {
            UUID job = backups.get(l);
            BackupCompleted b = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(job),
                    Duration.ofSeconds(120));
            Path file = storage.resolve(b.fileName());
            Path manifest = storage.resolve(b.fileName() + BackupFormat.MANIFEST_SUFFIX);
            lanes.add(new Lane(l, b, file, manifest, Files.readAllBytes(file), Files.readAllBytes(manifest)));
        }
        assertThat(lanes.get(0).file().getFileName().toString()).endsWith(expectedSuffix());
        // every lane's backup is intact: verified, and restored into its lane's targets in one of the three modes,
        // through the same path as the mutations below (so that a refusal there is the mutation's, not the set-up's)
        List<UUID> intact = new ArrayList<>();
        for (Lane lane : lanes) {
            intact.add(verify(lane));
        }
        Map<UUID, BackupMessage> intactVerified = awaitAll(intact);
        for (Lane lane : lanes) {
            assertThat(intactVerified.get(intact.get(lane.number()))).as("the intact backup of lane %d verifies",
                    lane.number()).isInstanceOf(VerifyCompleted.class);
        }
        List<UUID> intactRestores = new ArrayList<>();
        List<String> intactModes = List.of("replace", "create", "create_database");
        for (Lane lane : lanes) {
            String mode = intactModes.get(lane.number() % 3);
            RequestRestore request = RequestRestore.of(UUID.randomUUID(), "taskagent", lane.backup().jobId(), null,
                    prefix() + (mode.equals("create") ? "empty" : "full") + lane.number(), false, false,
                    mode.equals("create") ? RequestRestore.CREATE : null,
                    mode.equals("create_database") ? prefix() + "_intact" + lane.number() : null, "mutation-it");
            publisher.publishCommand(request);
            intactRestores.add(request.jobId());
        }
        Map<UUID, BackupMessage> intactRestored = awaitAll(intactRestores);
        String sourceFingerprint = fingerprint(SOURCE);
        for (Lane lane : lanes) {
            String mode = intactModes.get(lane.number() % 3);
            assertThat(intactRestored.get(intactRestores.get(lane.number())))
                    .as("the intact backup of lane %d restores (%s)", lane.number(), mode)
                    .isInstanceOf(RestoreCompleted.class);
            String database = prefix() + switch (mode) {
                case "replace" -> "_full";
                case "create" -> "_empty";
                default -> "_intact";
            } + lane.number();
            assertThat(fingerprint(database)).as("lane %d restored (%s) as the source", lane.number(), mode)
                    .isEqualTo(sourceFingerprint);
            if (mode.equals("create_database")) {
                closeConnection(database);
                infra.dropDatabase(database);
            }
        }
        createTargets(infra, prefix());
        double setUpSeconds = (System.nanoTime() - started) / 1e9;

        int total = fileMutations() + manifestMutations();
        Map<Kind, int[]> figures = new TreeMap<>(); // made, verify refused, restore refused, target unchanged, same
        List<String> failures = new ArrayList<>();
        Map<String, Integer> restoreModes = new TreeMap<>();
        long verifyNanos = 0;
        long[] other = new long[4]; // mutating, fingerprints and publishing, checking, putting back
        int markedDamaged = 0;
        long restoreNanos = 0;
        for (int round = 0; round * LANES < total; round++) {
            long p0 = System.nanoTime();
            List<Mutation> batch = new ArrayList<>();
            for (int l = 0; l < LANES && round * LANES + l < total; l++) {
                int index = round * LANES + l;
                Random random = new Random(seed() * 1_000_003L + index);
                Kind kind = index < fileMutations() ? FILE_KINDS[random.nextInt(FILE_KINDS.length)]
                        : MANIFEST_KINDS[random.nextInt(MANIFEST_KINDS.length)];
                Lane lane = lanes.get(l);
                Mutation m = mutate(index, kind, random, lane, lanes.get((l + 1) % LANES));
                for (int redraw = 0; redraw < 20 && (Arrays.equals(m.file(), lane.fileBytes())
                        || Arrays.equals(m.manifest(), lane.manifestBytes())); redraw++) {
                    m = mutate(index, kind, random, lane, lanes.get((l + 1) % LANES)); // drew a no-op: the next draw
                }
                if (m.file() != null) {
                    assertThat(m.file()).as("mutation %d changes the file", index).isNotEqualTo(lane.fileBytes());
                    Files.write(lane.file(), m.file());
                }
                if (m.manifest() != null) {
                    if (m.kind() == Kind.MANIFEST_MISSING) {
                        Files.delete(lane.manifest());
                    } else {
                        assertThat(m.manifest()).as("mutation %d changes the manifest", index)
                                .isNotEqualTo(lane.manifestBytes());
                        Files.write(lane.manifest(), m.manifest());
                    }
                }
                batch.add(m);
                figures.computeIfAbsent(kind, k -> new int[5])[0]++;
            }
            // verify every mutated lane at once
            long t0 = System.nanoTime();
            other[0] += t0 - p0;
            List<UUID> verifies = new ArrayList<>();
            for (int l = 0; l < batch.size(); l++) {
                verifies.add(verify(lanes.get(l)));
            }
            Map<UUID, BackupMessage> verified = awaitAll(verifies);
            verifyNanos += System.nanoTime() - t0;
            // a verify that finds the stored bytes changed marks the copy DAMAGED (which a restore would refuse
            // before even looking at the file): counted, then made available again so that the restore meets the
            // mutation itself
            markedDamaged += catalog.sql("""
                            UPDATE worker.backup_copies SET status = 'AVAILABLE', error = NULL
                            WHERE status = 'DAMAGED' AND backup_id IN (:ids)""")
                    .param("ids", lanes.stream().map(lane -> lane.backup().jobId()).toList()).update();
            // then restore each into its lane's targets
            long p1 = System.nanoTime();
            Map<Integer, String> before = new HashMap<>();
            List<UUID> restores = new ArrayList<>();
            List<String> created = new ArrayList<>();
            for (int l = 0; l < batch.size(); l++) {
                Mutation m = batch.get(l);
                String mode = m.index() % 20 == 7 ? "create" : m.index() % 20 == 13 ? "create_database" : "replace";
                restoreModes.merge(mode, 1, Integer::sum);
                String target = prefix() + (mode.equals("create") ? "empty" : "full") + l;
                String database = prefix() + (mode.equals("create") ? "_empty" : "_full") + l;
                before.put(l, fingerprint(database));
                String newDatabase = mode.equals("create_database") ? prefix() + "_new" + m.index() : null;
                if (newDatabase != null) {
                    created.add(newDatabase);
                }
                RequestRestore request = RequestRestore.of(UUID.randomUUID(), "taskagent",
                        lanes.get(l).backup().jobId(), null, target, false, false,
                        mode.equals("create") ? RequestRestore.CREATE : null, newDatabase, "mutation-it");
                publisher.publishCommand(request);
                restores.add(request.jobId());
            }
            long t1 = System.nanoTime();
            other[1] += t1 - p1;
            Map<UUID, BackupMessage> restored = awaitAll(restores);
            restoreNanos += System.nanoTime() - t1;
            long p2 = System.nanoTime();
            for (int l = 0; l < batch.size(); l++) {
                Mutation m = batch.get(l);
                int[] f = figures.get(m.kind());
                boolean same = sameManifest(m, lanes.get(l));
                String label = "#" + m.index() + " " + m.kind() + " (" + m.what() + ") on lane " + l;
                BackupMessage v = verified.get(verifies.get(l));
                BackupMessage r = restored.get(restores.get(l));
                if (same) {
                    f[4]++;
                    // the manifest reads the same: it must be as good as the original (verify and restore succeed)
                    if (!(v instanceof VerifyCompleted) || !(r instanceof RestoreCompleted)) {
                        failures.add(label + ": the manifest reads the same, yet " + v + " / " + r);
                    }
                    // a completed restore replaced the target's rows (or filled the empty one): that one afresh
                    if (m.index() % 20 == 7) {
                        createEmpty(infra, prefix(), l);
                    } else if (m.index() % 20 != 13) {
                        createFull(infra, prefix(), l);
                    }
                    if (m.index() % 20 == 13) {
                        infra.dropDatabase(prefix() + "_new" + m.index());
                        created.remove(prefix() + "_new" + m.index());
                    }
                    continue;
                }
                if (v instanceof VerifyFailed failed && clear(String.join("; ", failed.problems()))) {
                    f[1]++;
                } else {
                    failures.add(label + ": verify " + v);
                }
                if (r instanceof RestoreFailed failed && clear(failed.reason())) {
                    f[2]++;
                } else {
                    failures.add(label + ": restore " + r);
                }
                String database = prefix() + (m.index() % 20 == 7 ? "_empty" : "_full") + l;
                if (fingerprint(database).equals(before.get(l))) {
                    f[3]++;
                } else {
                    failures.add(label + ": target " + database + " changed");
                }
            }
            for (String name : created) {
                if (databaseExists(name)) {
                    failures.add("create_database " + name + " was left behind");
                    infra.dropDatabase(name);
                }
            }
            long p3 = System.nanoTime();
            other[2] += p3 - p2;
            // put every lane back
            for (Lane lane : lanes) {
                Files.write(lane.file(), lane.fileBytes());
                Files.write(lane.manifest(), lane.manifestBytes());
            }
            other[3] += System.nanoTime() - p3;
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        StringBuilder report = new StringBuilder(String.format("%n%s: %d mutations (seed %d) of %d real backups "
                        + "(%s, %d bytes, manifest %d bytes)%n%-20s %6s %8s %8s %8s %10s%n", getClass().getSimpleName(), total,
                seed(), LANES, expectedSuffix(), lanes.get(0).fileBytes().length, lanes.get(0).manifestBytes().length,
                "kind", "made", "verify", "restore", "target", "same-read"));
        int[] sum = new int[5];
        figures.forEach((kind, f) -> {
            report.append(String.format("%-20s %6d %8d %8d %8d %10d%n", kind.name().toLowerCase(), f[0], f[1], f[2], f[3],
                    f[4]));
            for (int i = 0; i < 5; i++) {
                sum[i] += f[i];
            }
        });
        report.append(String.format("%-20s %6d %8d %8d %8d %10d%n", "total", sum[0], sum[1], sum[2], sum[3], sum[4]));
        report.append(String.format("(verify: refused by verify; restore: refused by restore; target: unchanged; "
                        + "same-read: manifest bytes changed but it reads as the same manifest)%nrestore modes %s; "
                        + "copies marked DAMAGED by verify %d; "
                        + "set-up %.1f s, verifies %.1f s, restores %.1f s, whole run %.1f s%n(mutating %.1f s, fingerprints and restore requests %.1f s, "
                        + "checking %.1f s, putting back %.1f s)%n", restoreModes,
                markedDamaged, setUpSeconds, verifyNanos / 1e9, restoreNanos / 1e9, seconds, other[0] / 1e9,
                other[1] / 1e9, other[2] / 1e9, other[3] / 1e9));
        System.out.println(report);
        assertThat(failures).as(report.toString()).isEmpty();
        assertThat(sum[0]).isEqualTo(total);
        assertThat(sum[1]).isEqualTo(total - sum[4]);
        assertThat(sum[2]).isEqualTo(total - sum[4]);
        assertThat(sum[3]).isEqualTo(total - sum[4]);
        assertThat(figures.keySet()).as("every kind drawn").hasSize(FILE_KINDS.length
                + (int) Arrays.stream(MANIFEST_KINDS).distinct().count());
    }

    /** The file name's ending: {@code .json.zst}, or {@code .json.zst.enc}. */
    abstract String expectedSuffix();

    /** The worker's storage directory. */
    abstract String storageDirectory();

    /** A message naming its problem: not blank, no bare {@code null} standing for a missing message. */
    private static boolean clear(String message) {
        return message != null && !message.isBlank() && !message.contains(": null") && !message.equals("null")
                && !message.contains("no copy of it is available") && (message.contains("sha256") || message.contains("size") || message.contains("manifest")
                || message.contains("content unreadable"));
    }

    private UUID verify(Lane lane) {
        RequestVerify request = RequestVerify.of(UUID.randomUUID(), "taskagent", lane.backup().jobId(), "mutation-it");
        publisher.publishCommand(request);
        return request.jobId();
    }

    private static final Predicate<BackupMessage> OUTCOME = e -> e instanceof VerifyCompleted
            || e instanceof VerifyFailed || e instanceof RestoreCompleted || e instanceof RestoreFailed;

    /** The outcome event of every job in {@code jobs} (polled every 10 ms, a minute at most). */
    private static Map<UUID, BackupMessage> awaitAll(List<UUID> jobs) {
        Map<UUID, BackupMessage> found = new HashMap<>();
        org.awaitility.Awaitility.await("the outcome of every job").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(10)).pollDelay(Duration.ZERO)
                .until(() -> {
                    for (BackupMessage e : events.probe().events()) {
                        if (OUTCOME.test(e) && jobs.contains(e.jobId())) {
                            found.putIfAbsent(e.jobId(), e);
                        }
                    }
                    return found.size() == jobs.size();
                });
        return found;
    }
}
