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
 * @param where for messages: the destination's name, or the path
 */
public record StoredFile(String fileName, String where, Opener opener, Encryption encryption) {

    /** Opens the stored bytes. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    public static StoredFile of(BackupStorage storage, String fileName, Encryption encryption) {
        return new StoredFile(fileName, storage.name(), () -> storage.open(fileName), encryption);
    }

    /** A file outside any destination (tools, tests). */
    public static StoredFile of(Path path, Encryption encryption) {
        return new StoredFile(path.getFileName().toString(), path.toString(), () -> Files.newInputStream(path), encryption);
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
