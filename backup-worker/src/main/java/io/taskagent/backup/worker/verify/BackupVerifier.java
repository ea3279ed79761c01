package io.taskagent.backup.worker.verify;

import io.taskagent.backup.worker.backup.BackupCatalog;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.format.BackupFormat;
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
 * as stored (no key needed), the manifest; a full check also decrypts, decompresses and parses every row, and
 * compares row counts and table digests. Used by verification (each copy) and before every restore.
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
     *                the header is read (which proves the key, for an encrypted file)
     */
    public Map<String, Long> check(BackupCatalog.StoredBackup backup, BackupStorage storage, List<String> problems,
                                   boolean content) {
        return check(backup, storage, problems, content, BackupFileReader.RowListener.NONE);
    }

    /** {@link #check}, telling {@code listener} how far the full read of the rows got. */
    public Map<String, Long> check(BackupCatalog.StoredBackup backup, BackupStorage storage, List<String> problems,
                                   boolean content, BackupFileReader.RowListener listener) {
        String where = "'" + storage.name() + "' (" + storage.location() + ")";
        try {
            Optional<BackupStorage.StoredObject> stat = storage.stat(backup.fileName());
            if (stat.isEmpty()) {
                problems.add("file " + backup.fileName() + " is missing from " + where);
                return Map.of();
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
            return Map.of();
        } catch (IOException e) {
            problems.add("cannot read " + backup.fileName() + " from " + where + ": " + e.getMessage());
            return Map.of();
        }
        String manifestName = backup.fileName() + BackupFormat.MANIFEST_SUFFIX;
        Manifest manifest = null;
        try (InputStream in = storage.open(manifestName)) {
            manifest = Manifest.parse(in.readAllBytes());
            if (!backup.sha256().equals(manifest.sha256())) {
                problems.add("the manifest's sha256 " + manifest.sha256() + " differs from the catalog's");
            }
            if (manifest.sizeBytes() != backup.sizeBytes()) {
                problems.add("the manifest's size " + manifest.sizeBytes() + " differs from the catalog's");
            }
        } catch (IOException | RuntimeException e) {
            problems.add("manifest " + manifestName + " is missing or unreadable: " + e.getMessage());
        }
        StoredFile file = file(backup, storage);
        if (!content) {
            // a quick verification needs no key: the stored bytes are the ones written (SHA-256 above)
            if (problems.isEmpty() && !(file.encrypted() && !encryption.enabled())) {
                try {
                    BackupFileReader.header(file);
                } catch (IOException e) {
                    problems.add("content unreadable: " + e.getMessage());
                }
            }
            return backup.rowCounts();
        }
        BackupFileReader read;
        try {
            read = BackupFileReader.read(file, listener);
        } catch (IOException e) {
            problems.add("content unreadable: " + e.getMessage());
            return Map.of();
        }
        for (String table : new TreeSet<>(union(backup.rowCounts().keySet(), read.rowCounts().keySet()))) {
            Long expected = backup.rowCounts().get(table);
            Long found = read.rowCounts().get(table);
            if (!java.util.Objects.equals(expected, found)) {
                problems.add(table + ": " + (found == null ? "missing" : found + " rows") + " in the file, the catalog says "
                        + (expected == null ? "no such table" : expected + " rows"));
            }
        }
        // an encrypted file's manifest holds no table digests: the file's own summary (authenticated) has them
        Map<String, String> digests = manifest == null || manifest.tableSha256().isEmpty()
                ? read.summary().tableSha256() : manifest.tableSha256();
        read.tableSha256().forEach((table, digest) -> {
            String expected = digests.get(table);
            if (!digest.equals(expected)) {
                problems.add(table + ": rows digest " + digest + " differs from the recorded " + expected);
            }
        });
        return read.rowCounts();
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
