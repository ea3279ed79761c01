package io.taskagent.backup.worker.format;

import io.taskagent.backup.worker.storage.BackupStorage;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A stored backup file and how to read it: its bytes as stored (what the manifest's size and SHA-256 cover), and its
 * content (decrypted when its name ends in {@value Encryption#SUFFIX}, then decompressed by its extension).
 *
 * @param where     for messages: the destination's name, or the path
 * @param described what the manifest beside the file says of its rows, which the file's own summary must repeat: a
 *                  read that reaches the summary ({@link BackupFileReader.Data}) compares the two, so that a restore
 *                  checks it on its own single pass over the file; null: nothing to compare
 */
public record StoredFile(String fileName, String where, Opener opener, Encryption encryption, Described described) {

    /**
     * What a manifest says of a file's rows (a manifest of a file in the clear; an encrypted file's names none).
     *
     * @param manifest    the manifest's name, for messages
     * @param rowCounts   rows per table
     * @param tableSha256 each table's digest
     */
    public record Described(String manifest, java.util.Map<String, Long> rowCounts,
                            java.util.Map<String, String> tableSha256) {
    }

    /** This file, whose summary a read compares with {@code described} (null: with nothing). */
    public StoredFile describedBy(Described described) {
        return new StoredFile(fileName, where, opener, encryption, described);
    }

    /** Opens the stored bytes. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    public static StoredFile of(BackupStorage storage, String fileName, Encryption encryption) {
        return new StoredFile(fileName, storage.name(), () -> storage.open(fileName), encryption, null);
    }

    /** A file outside any destination (tools, tests). */
    public static StoredFile of(Path path, Encryption encryption) {
        return new StoredFile(path.getFileName().toString(), path.toString(), () -> Files.newInputStream(path),
                encryption, null);
    }

    public boolean encrypted() {
        return Encryption.isEncrypted(fileName);
    }

    public InputStream openStored() throws IOException {
        return opener.open();
    }

    /** The content: decrypted, decompressed. */
    public InputStream openContent() throws IOException {
        InputStream raw = new BufferedInputStream(opener.open(), 1 << 16);
        try {
            InputStream plain = encrypted() ? encryption.decrypt(raw, fileName) : raw;
            String name = Encryption.plainName(fileName);
            if (name.endsWith(".zst")) {
                return new com.github.luben.zstd.ZstdInputStream(plain);
            }
            if (name.endsWith(".gz")) {
                return new GZIPInputStream(plain, 1 << 16);
            }
            return plain;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
