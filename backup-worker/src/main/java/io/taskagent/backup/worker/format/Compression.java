package io.taskagent.backup.worker.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** How a backup file is compressed; the file name's extension says which. */
public enum Compression {
    NONE(".json"), GZIP(".json.gz"), ZSTD(".json.zst");

    private final String extension;

    Compression(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /** Its name in files and manifests: {@code none}, {@code gzip}, {@code zstd}. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static Compression parse(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * Compresses {@code len} bytes into one self-contained frame (a zstd frame, a gzip member, or the bytes as
     * they are). Concatenated frames form a valid file that {@code zstdcat} / {@code zcat} read as one stream, so
     * chunks can be compressed in parallel and written in order.
     */
    public byte[] frame(byte[] src, int off, int len, int zstdLevel) {
        return switch (this) {
            case NONE -> Arrays.copyOfRange(src, off, off + len);
            case ZSTD -> {
                byte[] dst = new byte[zstdBound(len)];
                yield Arrays.copyOf(dst, zstdFrame(src, off, len, dst, zstdLevel));
            }
            case GZIP -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(len / 4 + 64);
                try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 1 << 16)) {
                    gzip.write(src, off, len);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                yield bytes.toByteArray();
            }
        };
    }

    /** The largest size a zstd frame of {@code len} bytes can have. */
    public static int zstdBound(int len) {
        return (int) Zstd.compressBound(len);
    }

    /** Compresses {@code len} bytes into one zstd frame at the start of {@code dst}; returns the frame's length. */
    static int zstdFrame(byte[] src, int off, int len, byte[] dst, int zstdLevel) {
        long n = Zstd.compressByteArray(dst, 0, dst.length, src, off, len, zstdLevel);
        if (Zstd.isError(n)) {
            throw new IllegalStateException("zstd compression failed: " + Zstd.getErrorName(n));
        }
        return (int) n;
    }

    /** Wraps {@code out}; closing the result finishes the compressed stream and closes {@code out}. */
    public OutputStream wrap(OutputStream out, int zstdLevel) throws IOException {
        return switch (this) {
            case NONE -> out;
            case GZIP -> new GZIPOutputStream(out, 1 << 16);
            case ZSTD -> new ZstdOutputStream(out, zstdLevel);
        };
    }
}
