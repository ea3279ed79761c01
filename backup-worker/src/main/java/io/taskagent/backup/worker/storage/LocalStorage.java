package io.taskagent.backup.worker.storage;

import io.taskagent.backup.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A local directory of backup files. A file is written under a hidden temporary name, fsynced, renamed atomically
 * to its final name and the directory fsynced: a partial file is never visible under a final name. Files are
 * created 0640 and the directory 0750. A stored file must be a regular file inside the directory (a symbolic link
 * leading out of it is refused).
 * <p>
 * A write that finds the file system full ({@code ENOSPC}), or that would take the directory's files above the
 * destination's quota (when one is set), fails with a {@link StorageFullException} naming the destination; the
 * temporary file is removed when the upload is closed, so nothing partial is left. The quota counts every regular
 * file in the directory when a write begins, plus what that write wrote; {@link #freeBytes()} is then the smaller of
 * the file system's free space and what the quota leaves.
 */
public class LocalStorage implements BackupStorage {

    private static final Logger log = LoggerFactory.getLogger(LocalStorage.class);
    private static final Pattern TEMPORARY = Pattern.compile("^\\..+\\.tmp-[0-9a-f]{8}$");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-x---");

    private final String name;
    private final Path dir;
    /** The most the directory's files may hold, in bytes; 0: no quota (only the file system's space). */
    private final long quotaBytes;

    public LocalStorage(String name, Path dir) {
        this(name, dir, 0);
    }

    /** A directory whose files may hold at most {@code quotaBytes} (0: no quota). */
    public LocalStorage(String name, Path dir, long quotaBytes) {
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("backup storage '" + name + "': the quota must not be negative");
        }
        this.name = name;
        this.quotaBytes = quotaBytes;
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
                throw new IllegalStateException("backup storage '" + name + "': directory " + this.dir + " is not writable");
            }
        } catch (IOException e) {
            throw new IllegalStateException("backup storage '" + name + "': cannot create directory " + this.dir + ": " + e, e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "local";
    }

    @Override
    public String location() {
        return dir.toString();
    }

    public Path root() {
        return dir;
    }

    /** Removes every temporary file (at start-up: no writer of this directory runs yet); returns how many. */
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

    @Override
    public int removeAbandoned(Duration idle) {
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

    @Override
    public Upload create(String fileName) throws IOException {
        Path target = resolve(fileName);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("backup file " + fileName + " exists already in " + dir);
        }
        Path temp = dir.resolve("." + fileName + ".tmp-" + UUID.randomUUID().toString().substring(0, 8));
        if (POSIX) {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(FILE_MODE));
        } else {
            Files.createFile(temp);
        }
        return new PendingFile(temp, target, quotaBytes > 0 ? usedBytes() : 0);
    }

    /** The quota in bytes, 0 when there is none. */
    public long quotaBytes() {
        return quotaBytes;
    }

    /** Bytes of every regular file in the directory (complete, temporary and hidden ones alike). */
    private long usedBytes() throws IOException {
        long used = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (attributes.isRegularFile()) {
                        used += attributes.size();
                    }
                } catch (NoSuchFileException gone) {
                    // removed meanwhile
                }
            }
        }
        return used;
    }

    /** Whether {@code e} is the file system saying it is full (ENOSPC, or EDQUOT: a user's disk quota). */
    private static boolean noSpace(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("No space left on device") || message.contains("Disk quota exceeded");
    }

    private StorageFullException full(String fileName, IOException cause) {
        return new StorageFullException("backup storage '" + name + "' (" + dir + ") is full: no space left on its "
                + "file system while writing " + fileName + " (" + cause.getMessage() + ")", dir.toString(),
                fileSystemFreeBytes(), cause);
    }

    @Override
    public InputStream open(String fileName) throws IOException {
        Path file = inside(fileName);
        return Files.newInputStream(file);
    }

    @Override
    public Optional<StoredObject> stat(String fileName) throws IOException {
        Path file = resolve(fileName);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        file = inside(fileName);
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return Optional.of(new StoredObject(fileName, attributes.size(), attributes.lastModifiedTime().toInstant()));
    }

    @Override
    public List<StoredObject> list() throws IOException {
        List<StoredObject> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String fileName = entry.getFileName().toString();
                if (fileName.startsWith(".") || !Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                files.add(new StoredObject(fileName, attributes.size(), attributes.lastModifiedTime().toInstant()));
            }
        }
        return files;
    }

    @Override
    public boolean delete(String fileName) throws IOException {
        return Files.deleteIfExists(resolve(fileName));
    }

    @Override
    public OptionalLong freeBytes() {
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            if (quotaBytes > 0) {
                free = Math.min(free, Math.max(0, quotaBytes - usedBytes()));
            }
            return OptionalLong.of(free);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    private long fileSystemFreeBytes() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void probe() throws IOException {
        Path probe = dir.resolve(".health-probe.tmp-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Files.write(probe, "probe".getBytes());
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("backup storage '" + name + "' (" + dir + ") is not writable: " + e, e);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** A stored file's path, refusing one that is missing, not a regular file or a link leading out of the directory. */
    private Path inside(String fileName) throws IOException {
        Path file = resolve(fileName);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException("file " + fileName + " is missing from " + dir);
        }
        Path real = file.toRealPath();
        if (!real.startsWith(dir.toRealPath())) {
            throw new IOException("backup file " + fileName + " is a symbolic link leading outside the storage directory " + dir);
        }
        if (!Files.isRegularFile(real)) {
            throw new IOException("backup file " + fileName + " in " + dir + " is not a regular file");
        }
        return real;
    }

    /** A file being written under a temporary name. */
    private final class PendingFile implements Upload {
        private final Path temp;
        private final Path target;
        /** Bytes in the directory when this write began (counted against the quota only). */
        private final long usedBefore;
        private long written;
        private OutputStream stream;
        private boolean committed;

        private PendingFile(Path temp, Path target, long usedBefore) {
            this.temp = temp;
            this.target = target;
            this.usedBefore = usedBefore;
        }

        /** A stream that fsyncs the file when closed; a full file system or quota fails it naming the destination. */
        @Override
        public OutputStream stream() throws IOException {
            if (stream == null) {
                FileOutputStream file = new FileOutputStream(temp.toFile());
                String fileName = target.getFileName().toString();
                stream = new FilterOutputStream(file) {
                    private boolean closed;

                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[]{(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (quotaBytes > 0 && usedBefore + written + len > quotaBytes) {
                            throw new StorageFullException("backup storage '" + name + "' (" + dir + ") is full: "
                                    + "writing " + fileName + " would exceed its quota of " + megabytes(quotaBytes)
                                    + " (" + megabytes(usedBefore) + " held by other files, " + megabytes(written)
                                    + " of this file written)", dir.toString(), quotaBytes - usedBefore - written,
                                    null);
                        }
                        try {
                            file.write(b, off, len);
                        } catch (IOException e) {
                            throw noSpace(e) ? full(fileName, e) : e;
                        }
                        written += len;
                    }

                    @Override
                    public void close() throws IOException {
                        if (!closed) {
                            closed = true;
                            try {
                                file.flush();
                                file.getFD().sync();
                            } catch (IOException e) {
                                file.close();
                                throw noSpace(e) ? full(fileName, e) : e;
                            }
                            file.close();
                        }
                    }
                };
            }
            return stream;
        }

        /** Renames the (closed, fsynced) file to its final name and fsyncs the directory. */
        @Override
        public void commit() throws IOException {
            if (stream != null) {
                stream.close();
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the storage directory " + dir + " does not support atomic renames", e);
            }
            committed = true;
            fsyncDirectory();
        }

        /** Deletes the temporary file unless it was committed. */
        @Override
        public void close() {
            if (!committed) {
                try {
                    if (stream != null) {
                        stream.close();
                    }
                } catch (IOException ignored) {
                    // deleted below anyway
                }
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    log.warn("could not delete temporary file {}: {}", temp, e.toString());
                }
            }
        }
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
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
