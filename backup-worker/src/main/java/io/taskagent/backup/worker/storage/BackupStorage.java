package io.taskagent.backup.worker.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where backup files live: one named destination (a local directory, an S3-compatible bucket). Files are plain
 * names (no directories, see {@link io.taskagent.backup.model.Names#isPlainFileName}); a file is visible under its
 * name only once it is complete ({@link Upload#commit()}), and an upload closed without a commit leaves nothing.
 * Errors name the destination and the file, never a secret.
 */
public interface BackupStorage {

    /** Its name in configuration, the catalog and events ({@code local}, {@code offsite}). */
    String name();

    /** {@code local} or {@code s3}. */
    String type();

    /** Where it is, for messages: a directory, or {@code s3://bucket/prefix} at an endpoint; never a credential. */
    String location();

    /** Starts writing {@code fileName}; refused when the file exists already. */
    Upload create(String fileName) throws IOException;

    /** Reads a stored file; {@link java.nio.file.NoSuchFileException} when there is none. */
    InputStream open(String fileName) throws IOException;

    /** Size and time of a stored file, empty when there is none. */
    Optional<StoredObject> stat(String fileName) throws IOException;

    /** The complete files stored, in no particular order. */
    List<StoredObject> list() throws IOException;

    /** Deletes a stored file; false when there was none. */
    boolean delete(String fileName) throws IOException;

    /** Free space where the backend knows it (a local file system), else empty. */
    OptionalLong freeBytes();

    /** Proves the destination can be written, read and listed; the exception names what failed. */
    void probe() throws IOException;

    /**
     * Removes what writers that died left behind (temporary files, unfinished multipart uploads) untouched for
     * {@code idle}; returns how many.
     */
    int removeAbandoned(Duration idle);

    /** A stored file. */
    record StoredObject(String fileName, long sizeBytes, Instant modifiedAt) {
    }

    /** A file being written: write {@link #stream()}, close it, then {@link #commit()}; {@link #close()} aborts. */
    interface Upload extends AutoCloseable {

        /** The stream to write the file to (the same one on every call). */
        OutputStream stream() throws IOException;

        /** Makes the written (and closed) file visible under its name, durably. */
        void commit() throws IOException;

        /** Aborts the upload unless it was committed: nothing is left. */
        @Override
        void close();
    }
}
