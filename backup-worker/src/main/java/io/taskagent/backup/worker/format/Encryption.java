package io.taskagent.backup.worker.format;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.OptionalInt;

/**
 * Encryption at rest: a backup file (compressed first) is encrypted with Tink's streaming AEAD (a keyset of
 * {@code AES256_GCM_HKDF_1MB} keys: 1 MB segments, each authenticated, so a file is decrypted as it streams and any
 * altered, cut or reordered segment fails). New files use the keyset's primary key; a file written under any key
 * still in the keyset decrypts (Tink tries each). An encrypted file's name ends in {@value #SUFFIX} and its
 * associated data is that name: a file renamed to pass for another backup does not decrypt. No cryptography of our
 * own: Tink chooses nonces, derives per-file keys and frames segments.
 */
public final class Encryption {

    public static final String SUFFIX = ".enc";
    /** The algorithm as named in manifests. */
    public static final String ALGORITHM = "tink-streaming-aead";
    private static final Encryption NONE = new Encryption(null, null, null);

    static {
        try {
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final KeysetHandle keyset;
    private final StreamingAead aead;
    private final String source;

    private Encryption(KeysetHandle keyset, StreamingAead aead, String source) {
        this.keyset = keyset;
        this.aead = aead;
        this.source = source;
    }

    /** No key: files are written in the clear; an encrypted file is refused with an error saying a key is needed. */
    public static Encryption none() {
        return NONE;
    }

    /**
     * A keyset in Tink's JSON form (as {@code tinkey create-keyset --key-template AES256_GCM_HKDF_1MB} writes it).
     *
     * @param source where it came from, for messages ({@code BACKUP_ENCRYPTION_KEYSET_FILE /path}); never the key
     * @throws IllegalArgumentException naming the problem, never a key's bytes
     */
    public static Encryption of(String keysetJson, String source) {
        KeysetHandle handle;
        try {
            handle = TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the encryption keyset (" + source + ") is not a Tink JSON keyset", e);
        }
        return of(handle, source);
    }

    public static Encryption of(KeysetHandle handle, String source) {
        try {
            return new Encryption(handle, handle.getPrimitive(RegistryConfiguration.get(), StreamingAead.class), source);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the encryption keyset (" + source + ") holds no streaming AEAD key "
                    + "(e.g. AES256_GCM_HKDF_1MB): " + e.getMessage(), e);
        }
    }

    /** The keyset in Tink's JSON form (for tools and tests that make one). */
    public static String toJson(KeysetHandle handle) {
        try {
            return TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the keyset cannot be written: " + e.getMessage(), e);
        }
    }

    public boolean enabled() {
        return aead != null;
    }

    /** The id of the key new files are encrypted with. */
    public OptionalInt primaryKeyId() {
        return keyset == null ? OptionalInt.empty() : OptionalInt.of(keyset.getPrimary().getId());
    }

    /** The name a file is stored under: {@code .enc} appended when encrypting. */
    public String storedName(String plainName) {
        return enabled() ? plainName + SUFFIX : plainName;
    }

    /** True for a stored name of an encrypted file. */
    public static boolean isEncrypted(String storedName) {
        return storedName.endsWith(SUFFIX);
    }

    /** The name without {@value #SUFFIX}: its extension says the compression. */
    public static String plainName(String storedName) {
        return isEncrypted(storedName) ? storedName.substring(0, storedName.length() - SUFFIX.length()) : storedName;
    }

    /** Wraps {@code ciphertext}: what is written is encrypted; closing it writes the last segment. */
    public OutputStream encrypt(OutputStream ciphertext, String storedName) throws IOException {
        if (!enabled()) {
            throw new IllegalStateException("no encryption key configured");
        }
        try {
            return aead.newEncryptingStream(ciphertext, associatedData(storedName));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt " + storedName + ": " + e.getMessage(), e);
        }
    }

    /** Decrypts {@code ciphertext}, a file stored as {@code storedName}; a wrong key fails at the first read. */
    public InputStream decrypt(InputStream ciphertext, String storedName) throws IOException {
        if (!enabled()) {
            throw new IOException("backup file " + storedName + " is encrypted and this worker has no key: configure "
                    + "BACKUP_ENCRYPTION_KEYSET_FILE or BACKUP_ENCRYPTION_KEYSET with the keyset it was written with");
        }
        // an I/O failure of the file or the network is told apart from a wrong key or an altered file
        IOException[] sourceFailure = new IOException[1];
        InputStream tagged = new FilterInputStream(ciphertext) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    sourceFailure[0] = e;
                    throw e;
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (IOException e) {
                    sourceFailure[0] = e;
                    throw e;
                }
            }
        };
        InputStream plain;
        try {
            plain = aead.newDecryptingStream(tagged, associatedData(storedName));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt " + storedName + ": " + e.getMessage(), e);
        }
        return new FilterInputStream(plain) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw refused(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (IOException e) {
                    throw refused(e);
                }
            }

            private IOException refused(IOException e) {
                if (sourceFailure[0] != null) {
                    return new IOException("reading " + storedName + " failed: " + sourceFailure[0].getMessage(),
                            sourceFailure[0]);
                }
                return new IOException("cannot decrypt " + storedName + " with the keyset of " + Encryption.this.source
                        + ": no key of it matches, or the file was altered (" + e.getMessage() + ")", e);
            }
        };
    }

    /**
     * Gets the JDK's AES-GCM ready at full speed: its vectorised (AES-NI / VAES + carry-less multiply) code is used only
     * once the JIT compiled the GCM engine, after a few thousand calls; Tink's 1 MB segments make one call each, so a
     * backup of a few hundred MB would otherwise be encrypted by the slow interpreted path all the way (measured: 75
     * MB/s, then 5 GB/s). Encrypts and decrypts throw-away 16 KB buffers under a throw-away key (well under a second,
     * once, on a background thread); nothing of it is kept or written.
     */
    public void warmUp() {
        if (!enabled()) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
                javax.crypto.spec.SecretKeySpec key = new javax.crypto.spec.SecretKeySpec(new byte[32], "AES");
                byte[] plain = new byte[16384];
                byte[] sealed = new byte[plain.length + 16];
                byte[] iv = new byte[12];
                for (int i = 0; i < 6000; i++) {
                    iv[0] = (byte) i;
                    iv[1] = (byte) (i >> 8);
                    cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, iv));
                    cipher.doFinal(java.nio.ByteBuffer.wrap(plain), java.nio.ByteBuffer.wrap(sealed));
                    if (i % 2 == 0) {
                        cipher.init(javax.crypto.Cipher.DECRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, iv));
                        cipher.doFinal(java.nio.ByteBuffer.wrap(sealed), java.nio.ByteBuffer.wrap(plain));
                    }
                }
            } catch (GeneralSecurityException e) {
                // only a warm-up: encryption works the same without it, slower at first
            }
        }, "aes-gcm-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static byte[] associatedData(String storedName) {
        return ("taskagent-backup:" + storedName).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return enabled() ? "Encryption[" + ALGORITHM + ", primary key " + primaryKeyId().getAsInt() + ", from " + source + "]"
                : "Encryption[none]";
    }
}
