package io.taskagent.backup.worker.storage;

import java.io.IOException;

/**
 * A write refused because the destination is full: its file system has no space left ({@code ENOSPC}), or the
 * file would take the destination above its quota ({@code backup.storage.quota},
 * {@code backup.storage.destinations.<name>.quota}). The message names the destination, its location and the limit.
 */
public class StorageFullException extends IOException {

    private final String location;
    private final long freeBytes;

    public StorageFullException(String message, String location, long freeBytes, Throwable cause) {
        super(message, cause);
        this.location = location;
        this.freeBytes = Math.max(0, freeBytes);
    }

    /** Where the destination is (a directory). */
    public String location() {
        return location;
    }

    /** Space left on the destination when the write was refused (0 when unknown). */
    public long freeBytes() {
        return freeBytes;
    }

    /** The first {@link StorageFullException} in {@code e}'s chain of causes, or null. */
    public static StorageFullException in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StorageFullException full) {
                return full;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed instanceof StorageFullException full) {
                    return full;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
