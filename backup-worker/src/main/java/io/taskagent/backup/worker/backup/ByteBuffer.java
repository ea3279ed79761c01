package io.taskagent.backup.worker.backup;

import java.util.Arrays;

/** A growable byte array without synchronization or bounds checks on the hot path. */
final class ByteBuffer {

    private byte[] bytes;
    private int size;

    ByteBuffer(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    void put(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    /** Caller has called {@link #ensure} for this byte. */
    void putUnchecked(byte b) {
        bytes[size++] = b;
    }

    void put(byte[] b) {
        put(b, 0, b.length);
    }

    void put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** Counts {@code n} bytes written directly into {@link #array()} (after {@link #ensure}). */
    void skip(int n) {
        size += n;
    }

    int size() {
        return size;
    }

    byte[] array() {
        return bytes;
    }

    void clear() {
        size = 0;
    }

    byte[] toArray() {
        return Arrays.copyOf(bytes, size);
    }
}
