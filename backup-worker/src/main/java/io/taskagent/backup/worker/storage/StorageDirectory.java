package io.taskagent.backup.worker.storage;

import io.taskagent.backup.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The local directory that holds backup files. A file is written under a hidden temporary name, fsynced, renamed
 * atomically to its final name and the directory fsynced: a partial file is never visible under a final name.
 * Files are created 0640 and the directory 0750. Temporary files left by a crash are removed at start-up.
 */
public class StorageDirectory {

    private static final Logger log = LoggerFactory.getLogger(StorageDirectory.class);
    private static final Pattern TEMPORARY = Pattern.compile("^\\..+\\.tmp-[0-9a-f]{8}$");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-x---");

    private final Path dir;

    public StorageDirectory(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        try {
            if (!Files.isDirectory(this.dir)) {
                if (POSIX) {
                    Files.createDirectories(this.dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
                } else {
                    Files.createDirectories(this.dir);
                }
            }
            if (!Files.isWritable(this.dir)) {
                throw new IllegalStateException("backup storage directory " + this.dir + " is not writable");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create backup storage directory " + this.dir + ": " + e, e);
        }
    }

    public Path root() {
        return dir;
    }

    /** Removes temporary files a crashed or killed writer left behind; returns how many. */
    public int removeStaleTemporaryFiles() {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (TEMPORARY.matcher(entry.getFileName().toString()).matches() && Files.isRegularFile(entry)) {
                    Files.deleteIfExists(entry);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list backup storage directory " + dir, e);
        }
        if (removed > 0) {
            log.info("removed {} stale temporary file(s) from {}", removed, dir);
        }
        return removed;
    }

    /** Removes temporary files not written to for {@code idle} (their writer died); returns how many. */
    public int removeTemporaryFilesIdleFor(java.time.Duration idle) {
        int removed = 0;
        long cutoff = System.currentTimeMillis() - idle.toMillis();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (TEMPORARY.matcher(entry.getFileName().toString()).matches() && Files.isRegularFile(entry)
                        && Files.getLastModifiedTime(entry).toMillis() < cutoff) {
                    Files.deleteIfExists(entry);
                    removed++;
                }
            }
        } catch (IOException e) {
            log.warn("cannot clean temporary files in {}: {}", dir, e.toString());
        }
        if (removed > 0) {
            log.info("removed {} abandoned temporary file(s) from {}", removed, dir);
        }
        return removed;
    }

    /** The path of a stored file, refusing anything that is not a plain file name inside this directory. */
    public Path resolve(String fileName) {
        if (!Names.isPlainFileName(fileName)) {
            throw new IllegalArgumentException("not a plain backup file name: " + fileName);
        }
        return dir.resolve(fileName);
    }

    /** Starts writing {@code finalName}: returns a pending file to write and then {@link PendingFile#commit()}. */
    public PendingFile create(String finalName) throws IOException {
        Path target = resolve(finalName);
        if (Files.exists(target)) {
            throw new IOException("backup file " + finalName + " exists already");
        }
        Path temp = dir.resolve("." + finalName + ".tmp-" + UUID.randomUUID().toString().substring(0, 8));
        if (POSIX) {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(FILE_MODE));
        } else {
            Files.createFile(temp);
        }
        return new PendingFile(temp, target);
    }

    /** A file being written under a temporary name. */
    public final class PendingFile implements AutoCloseable {
        private final Path temp;
        private final Path target;
        private boolean committed;

        private PendingFile(Path temp, Path target) {
            this.temp = temp;
            this.target = target;
        }

        /** A stream that fsyncs the file when closed. */
        public OutputStream open() throws IOException {
            FileOutputStream file = new FileOutputStream(temp.toFile());
            return new FilterOutputStream(file) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    file.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    file.flush();
                    file.getFD().sync();
                    file.close();
                }
            };
        }

        public Path temporaryPath() {
            return temp;
        }

        public long size() throws IOException {
            return Files.size(temp);
        }

        /** Renames the (closed, fsynced) file to its final name and fsyncs the directory. */
        public Path commit() throws IOException {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the storage directory " + dir + " does not support atomic renames", e);
            }
            committed = true;
            fsyncDirectory();
            return target;
        }

        /** Deletes the temporary file unless it was committed. */
        @Override
        public void close() {
            if (!committed) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    log.warn("could not delete temporary file {}: {}", temp, e.toString());
                }
            }
        }
    }

    /** Deletes a stored file if it exists (used when a finished file cannot be recorded). */
    public void delete(String fileName) {
        try {
            Files.deleteIfExists(resolve(fileName));
        } catch (IOException e) {
            log.warn("could not delete {}: {}", fileName, e.toString());
        }
    }

    private void fsyncDirectory() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems refuse to open a directory for fsync; the rename itself is atomic
            log.debug("directory fsync of {} not supported: {}", dir, e.toString());
        }
    }
}
