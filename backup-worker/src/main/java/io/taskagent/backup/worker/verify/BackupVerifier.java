package io.taskagent.backup.worker.verify;

import io.taskagent.backup.worker.backup.BackupCatalog;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.format.BackupMetadata;
import io.taskagent.backup.worker.format.Encryption;
import io.taskagent.backup.worker.format.Manifest;
import io.taskagent.backup.worker.format.StoredFile;
import io.taskagent.backup.worker.storage.BackupStorage;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Checks one stored copy of a backup against its catalog record and manifest: presence, size, SHA-256 of the bytes
 * as stored (no key needed), every field of the manifest against the catalog and the file's header; a full check also
 * decrypts, decompresses and parses every row, and compares row counts and table digests. Used by verification (each
 * copy) and before every restore ({@link #checkBeforeRestore}: no pass over the rows, the restore's own read compares
 * the manifest's row counts and table digests with the file's summary).
 */
@Component
public class BackupVerifier {

    private final Encryption encryption;

    BackupVerifier(Encryption encryption) {
        this.encryption = encryption;
    }

    /** The copy of {@code backup} on {@code storage} as a file to read. */
    public StoredFile file(BackupCatalog.StoredBackup backup, BackupStorage storage) {
        return StoredFile.of(storage, backup.fileName(), encryption);
    }

    /**
     * @param content also decrypt, decompress and parse every row (a full verification); without it, presence,
     *                size, SHA-256 and manifest are checked, which already proves the file is the one written, and
     *                the header is read (which proves the key, for an encrypted file) and compared with the manifest;
     *                the manifest's row counts and table digests are then left to whoever reads the file (see
     *                {@link #checkBeforeRestore})
     */
    public Map<String, Long> check(BackupCatalog.StoredBackup backup, BackupStorage storage, List<String> problems,
                                   boolean content) {
        return check(backup, storage, problems, content, BackupFileReader.RowListener.NONE);
    }

    /** {@link #check}, telling {@code listener} how far the full read of the rows got. */
    public Map<String, Long> check(BackupCatalog.StoredBackup backup, BackupStorage storage, List<String> problems,
                                   boolean content, BackupFileReader.RowListener listener) {
        Checked checked = quick(backup, storage, problems, !content);
        if (checked == null) {
            return Map.of();
        }
        if (!content) {
            return backup.rowCounts();
        }
        Manifest manifest = checked.manifest();
        BackupFileReader read;
        try {
            read = BackupFileReader.read(checked.file(), listener);
        } catch (IOException e) {
            problems.add("content unreadable: " + e.getMessage());
            return Map.of();
        }
        if (manifest != null) {
            compareWithFile(manifest, checked.fields(), read.formatVersion(), read.metadata(), problems);
        }
        for (String table : new TreeSet<>(union(backup.rowCounts().keySet(), read.rowCounts().keySet()))) {
            Long expected = backup.rowCounts().get(table);
            Long found = read.rowCounts().get(table);
            if (!java.util.Objects.equals(expected, found)) {
                problems.add(table + ": " + (found == null ? "missing" : found + " rows") + " in the file, the catalog says "
                        + (expected == null ? "no such table" : expected + " rows"));
            }
        }
        // an encrypted file's manifest (or an old one) holds no table digests: the file's own summary (authenticated,
        // or proven by the file's SHA-256) has them
        boolean inSummary = manifest == null || manifest.tableSha256().isEmpty();
        Map<String, String> digests = inSummary ? read.summary().tableSha256() : manifest.tableSha256();
        read.tableSha256().forEach((table, digest) -> {
            String expected = digests.get(table);
            if (!digest.equals(expected)) {
                problems.add(table + ": rows digest " + digest + " differs from the recorded " + expected + " ("
                        + (inSummary ? "the file's summary" : "the manifest") + ")");
            }
        });
        return read.rowCounts();
    }

    /**
     * The quick verification before a restore or a drill ({@link #check} without content), which reads nothing of
     * the file past its header: when it passes, the file to read, carrying what its manifest says of the rows
     * ({@link StoredFile#described()}), which the restore's own read compares with the file's summary when it
     * reaches it, before anything is committed. Null, with {@code problems} naming what is wrong, otherwise.
     */
    public StoredFile checkBeforeRestore(BackupCatalog.StoredBackup backup, BackupStorage storage,
                                         List<String> problems) {
        int before = problems.size();
        Checked checked = quick(backup, storage, problems, true);
        if (checked == null || problems.size() > before) {
            return null;
        }
        Manifest manifest = checked.manifest();
        if (checked.file().encrypted()) {
            return checked.file(); // its manifest says nothing of the rows (checked above)
        }
        Map<String, Long> counts = checked.fields().contains("row_counts") ? manifest.rowCounts() : null;
        Map<String, String> digests = checked.fields().contains("table_sha256") ? manifest.tableSha256() : null;
        if (counts == null && digests == null) {
            return checked.file();
        }
        return checked.file().describedBy(new StoredFile.Described(manifestName(backup), counts, digests));
    }

    /** What the quick checks found: the file, and its manifest (null when unreadable) with the fields it holds. */
    private record Checked(StoredFile file, Manifest manifest, java.util.Set<String> fields) {
    }

    /**
     * Presence, size and SHA-256 of the stored bytes, the manifest against the catalog, and (with {@code header},
     * when all that passed) the manifest against the file's header. Null when the file cannot be looked at.
     */
    private Checked quick(BackupCatalog.StoredBackup backup, BackupStorage storage, List<String> problems,
                          boolean header) {
        String where = "'" + storage.name() + "' (" + storage.location() + ")";
        try {
            Optional<BackupStorage.StoredObject> stat = storage.stat(backup.fileName());
            if (stat.isEmpty()) {
                problems.add("file " + backup.fileName() + " is missing from " + where);
                return null;
            }
            if (stat.get().sizeBytes() != backup.sizeBytes()) {
                problems.add("size is " + stat.get().sizeBytes() + " bytes but the catalog says " + backup.sizeBytes());
            }
            String sha = sha256(storage, backup.fileName());
            if (!sha.equals(backup.sha256())) {
                problems.add("sha256 is " + sha + " but the catalog says " + backup.sha256());
            }
        } catch (IllegalArgumentException e) {
            problems.add("the catalogued file name is not a plain file name: " + backup.fileName());
            return null;
        } catch (IOException e) {
            problems.add("cannot read " + backup.fileName() + " from " + where + ": " + e.getMessage());
            return null;
        }
        String manifestName = manifestName(backup);
        Manifest manifest = null;
        java.util.Set<String> fields = java.util.Set.of();
        try (InputStream in = storage.open(manifestName)) {
            byte[] json = in.readAllBytes();
            manifest = Manifest.parse(json);
            if (manifest == null) {
                problems.add("manifest " + manifestName + " is not a JSON object");
            } else {
                fields = Manifest.fieldsOf(json);
                compareWithCatalog(manifest, fields, backup, problems);
            }
        } catch (IOException | RuntimeException e) {
            manifest = null;
            problems.add("manifest " + manifestName + " is missing or unreadable: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        StoredFile file = file(backup, storage);
        // a quick verification needs no key: the stored bytes are the ones written (SHA-256 above); with the key, the
        // header is read, which proves the key, and compared with the manifest
        if (header && manifest != null && problems.isEmpty() && !(file.encrypted() && !encryption.enabled())) {
            try {
                BackupFileReader start = BackupFileReader.header(file);
                compareWithFile(manifest, fields, start.formatVersion(), start.metadata(), problems);
            } catch (IOException e) {
                problems.add("content unreadable: " + e.getMessage());
            }
        }
        return new Checked(file, manifest, fields);
    }

    private static String manifestName(BackupCatalog.StoredBackup backup) {
        return backup.fileName() + BackupFormat.MANIFEST_SUFFIX;
    }

    /**
     * True when the problems show the stored copy is not the file written (missing, another size, another
     * SHA-256): the copy is damaged. An unreadable destination, a missing or wrong key, or content the intact file
     * cannot yield say nothing against the copy itself.
     */
    public static boolean damaged(List<String> problems) {
        return problems.stream().anyMatch(p -> p.startsWith("size is ") || p.startsWith("sha256 is ")
                || (p.startsWith("file ") && p.contains(" is missing from ")));
    }

    /** Every field of the manifest against the catalog, as {@link #compareWithCatalog} of a manifest holding all. */
    static void compareWithCatalog(Manifest manifest, BackupCatalog.StoredBackup backup, List<String> problems) {
        compareWithCatalog(manifest, ALL_FIELDS, backup, problems);
    }

    /** Every field a manifest may hold. */
    static final java.util.Set<String> ALL_FIELDS = java.util.Set.copyOf(java.util.stream.Stream.of(Manifest.IDENTITY,
            Manifest.DESCRIPTION, Manifest.ROWS, Manifest.ENCRYPTION_FIELDS).flatMap(List::stream).toList());

    /**
     * Every field of the manifest against the catalog's record of the backup: the manifest is the file's description
     * on its destination, and one that says anything else than the catalog is damaged (an unknown field is tolerated,
     * as the format says). A field the manifest lacks is a problem when a manifest of the backup's format version
     * (and encryption) holds it ({@link Manifest#required}), else not compared: an older worker wrote fewer.
     *
     * @param fields the fields the manifest holds
     */
    static void compareWithCatalog(Manifest manifest, java.util.Set<String> fields, BackupCatalog.StoredBackup backup,
                                   List<String> problems) {
        boolean encrypted = backup.encryption() != null;
        for (String field : Manifest.required(backup.formatVersion(), encrypted)) {
            if (!fields.contains(field)) {
                problems.add("the manifest lacks " + field + ", which " + (Manifest.ENCRYPTION_FIELDS.contains(field)
                        ? "an encrypted file's manifest holds" : "a format " + backup.formatVersion()
                        + " manifest holds"));
            }
        }
        if (fields.contains("format")) {
            differs(problems, "format", manifest.format(), BackupFormat.FORMAT_NAME);
        }
        if (fields.contains("format_version")) {
            differs(problems, "format_version", manifest.formatVersion(), backup.formatVersion());
        }
        if (fields.contains("file_name")) {
            differs(problems, "file_name", manifest.fileName(), backup.fileName());
        }
        if (fields.contains("sha256") && !backup.sha256().equals(manifest.sha256())) {
            problems.add("the manifest's sha256 " + manifest.sha256() + " differs from the catalog's");
        }
        if (fields.contains("size_bytes") && manifest.sizeBytes() != backup.sizeBytes()) {
            problems.add("the manifest's size " + manifest.sizeBytes() + " differs from the catalog's");
        }
        if (fields.contains("compression")) {
            differs(problems, "compression", manifest.compression() == null ? null
                    : manifest.compression().name().toLowerCase(java.util.Locale.ROOT), backup.compression());
        }
        if (fields.contains("backup_id")) {
            differs(problems, "backup_id", manifest.backupId(), backup.backupId());
        }
        if (fields.contains("target")) {
            differs(problems, "target", manifest.target(), backup.target());
        }
        if (fields.contains("backup_type")) {
            differs(problems, "backup_type", manifest.backupType(), backup.backupType());
        }
        if (fields.contains("encryption")) {
            differs(problems, "encryption", manifest.encryption(), backup.encryption());
        }
        if (fields.contains("key_id")) {
            differs(problems, "key_id", manifest.keyId() == null ? null : manifest.keyId().longValue(), backup.keyId());
        }
        if (encrypted) {
            // an encrypted file's manifest names no table and counts nothing
            if (!manifest.rowCounts().isEmpty() || !manifest.tableSha256().isEmpty()) {
                problems.add("the manifest of an encrypted file holds row counts or table digests");
            }
            return;
        }
        if (fields.contains("row_counts") && !manifest.rowCounts().equals(backup.rowCounts())) {
            problems.add("the manifest's row_counts " + manifest.rowCounts() + " differ from the catalog's "
                    + backup.rowCounts());
        }
        if (!fields.contains("table_sha256")) {
            return;
        }
        if (!manifest.tableSha256().keySet().equals(backup.rowCounts().keySet())) {
            problems.add("the manifest's table_sha256 names " + new TreeSet<>(manifest.tableSha256().keySet())
                    + " but the catalog's tables are " + new TreeSet<>(backup.rowCounts().keySet()));
        } else {
            manifest.tableSha256().forEach((table, digest) -> {
                if (digest == null || !SHA256_HEX.matcher(digest).matches()) {
                    problems.add("the manifest's table_sha256 of " + table + " is not a SHA-256: " + digest);
                }
            });
        }
    }

    /** The manifest against the file's header, as {@link #compareWithFile} of a manifest holding every field. */
    static void compareWithFile(Manifest manifest, int formatVersion, BackupMetadata metadata, List<String> problems) {
        compareWithFile(manifest, ALL_FIELDS, formatVersion, metadata, problems);
    }

    /** The manifest against what the file itself says of the backup (its first lines): the fields it holds. */
    static void compareWithFile(Manifest manifest, java.util.Set<String> fields, int formatVersion,
                                BackupMetadata metadata, List<String> problems) {
        if (fields.contains("format_version") && manifest.formatVersion() != formatVersion) {
            problems.add("the manifest's format_version " + manifest.formatVersion() + " differs from the file's "
                    + formatVersion);
        }
        java.util.function.BiConsumer<String, Object[]> same = (field, values) -> {
            if (fields.contains(field) && !java.util.Objects.equals(values[0], values[1])) {
                problems.add("the manifest's " + field + " " + values[0] + " differs from the file's " + values[1]);
            }
        };
        same.accept("backup_id", new Object[]{manifest.backupId(), metadata.backupId()});
        same.accept("target", new Object[]{manifest.target(), metadata.target()});
        same.accept("backup_type", new Object[]{manifest.backupType(), metadata.backupType()});
        same.accept("created_at", new Object[]{manifest.createdAt(), metadata.createdAt()});
        same.accept("compression", new Object[]{manifest.compression(), metadata.compression()});
    }

    private static final java.util.regex.Pattern SHA256_HEX = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private static void differs(List<String> problems, String field, Object inManifest, Object inCatalog) {
        if (!java.util.Objects.equals(inManifest, inCatalog)) {
            problems.add("the manifest's " + field + " " + inManifest + " differs from the catalog's " + inCatalog);
        }
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String sha256(BackupStorage storage, String fileName) throws IOException {
        MessageDigest digest = BackupFormat.sha256();
        try (InputStream in = new DigestInputStream(storage.open(fileName), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
