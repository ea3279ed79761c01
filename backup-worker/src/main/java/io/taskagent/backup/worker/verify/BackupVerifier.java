package io.taskagent.backup.worker.verify;

import io.taskagent.backup.worker.backup.BackupCatalog;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.format.Manifest;
import io.taskagent.backup.worker.storage.StorageDirectory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a stored backup against its catalog record and manifest: presence, size, SHA-256, decompression, layout,
 * every row parses, row counts and table digests. Used by verification and before every restore.
 */
@Component
public class BackupVerifier {

    private final StorageDirectory storage;

    BackupVerifier(StorageDirectory storage) {
        this.storage = storage;
    }

    /** Adds every problem found to {@code problems}; returns the row counts read back. */
    Map<String, Long> check(BackupCatalog.StoredBackup backup, List<String> problems) {
        return check(backup, problems, true);
    }

    /**
     * @param content also decompress and parse every row (a full verification); without it, presence, size,
     *                SHA-256 and manifest are checked, which already proves the file is the one written
     */
    public Map<String, Long> check(BackupCatalog.StoredBackup backup, List<String> problems, boolean content) {
        Path file;
        try {
            file = storage.resolve(backup.fileName());
        } catch (IllegalArgumentException e) {
            problems.add("the catalogued file name is not a plain file name: " + backup.fileName());
            return Map.of();
        }
        if (!Files.isRegularFile(file)) {
            problems.add("file " + backup.fileName() + " is missing from " + storage.root());
            return Map.of();
        }
        try {
            long size = Files.size(file);
            if (size != backup.sizeBytes()) {
                problems.add("size is " + size + " bytes but the catalog says " + backup.sizeBytes());
            }
            String sha = sha256(file);
            if (!sha.equals(backup.sha256())) {
                problems.add("sha256 is " + sha + " but the catalog says " + backup.sha256());
            }
        } catch (IOException e) {
            problems.add("cannot read " + backup.fileName() + ": " + e.getMessage());
            return Map.of();
        }
        Path manifestFile = file.resolveSibling(backup.fileName() + BackupFormat.MANIFEST_SUFFIX);
        Manifest manifest = null;
        try {
            manifest = Manifest.parse(Files.readAllBytes(manifestFile));
            if (!backup.sha256().equals(manifest.sha256())) {
                problems.add("the manifest's sha256 " + manifest.sha256() + " differs from the catalog's");
            }
            if (manifest.sizeBytes() != backup.sizeBytes()) {
                problems.add("the manifest's size " + manifest.sizeBytes() + " differs from the catalog's");
            }
        } catch (IOException | RuntimeException e) {
            problems.add("manifest " + manifestFile.getFileName() + " is missing or unreadable: " + e.getMessage());
        }
        if (!content) {
            if (problems.isEmpty()) {
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
            read = BackupFileReader.read(file);
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
        Map<String, String> digests = manifest == null ? read.summary().tableSha256() : manifest.tableSha256();
        read.tableSha256().forEach((table, digest) -> {
            String expected = digests.get(table);
            if (!digest.equals(expected)) {
                problems.add(table + ": rows digest " + digest + " differs from the recorded " + expected);
            }
        });
        return read.rowCounts();
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
