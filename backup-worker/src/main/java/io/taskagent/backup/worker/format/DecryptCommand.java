package io.taskagent.backup.worker.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decrypts a backup file by hand, without the worker running or a catalog:
 * {@code java -jar backup-worker.jar decrypt --keyset-file keyset.json [--decompress] FILE [OUT]}. Without
 * {@code --decompress} the output is the compressed file as it was before encryption ({@code zstd -d} or
 * {@code zcat} reads it); with it, the backup's JSON. The file must keep its stored name (the name is the
 * encryption's associated data). {@code -} or no OUT: standard output; an OUT file is created 0600 and appears only
 * once the whole file decrypted and authenticated.
 */
public final class DecryptCommand {

    private DecryptCommand() {
    }

    /** Runs the command; returns the exit status (0 done, 1 failed, 2 usage). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Path keysetFile = null;
        boolean decompress = false;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--keyset-file") && i + 1 < args.size()) {
                keysetFile = Path.of(args.get(++i));
            } else if (a.equals("--decompress")) {
                decompress = true;
            } else if (a.startsWith("--")) {
                err.println("unknown option " + a);
                return usage(err);
            } else {
                files.add(a);
            }
        }
        if (keysetFile == null || files.isEmpty() || files.size() > 2) {
            return usage(err);
        }
        Path in = Path.of(files.get(0));
        try {
            Encryption encryption = Encryption.of(Files.readString(keysetFile), "--keyset-file " + keysetFile);
            if (!Encryption.isEncrypted(in.getFileName().toString())) {
                err.println(in + " is not an encrypted backup file (its name does not end in " + Encryption.SUFFIX + ")");
                return 1;
            }
            StoredFile file = StoredFile.of(in, encryption);
            boolean toFile = files.size() == 2 && !files.get(1).equals("-");
            if (!toFile) {
                try (InputStream plain = open(file, encryption, in, decompress)) {
                    plain.transferTo(out);
                }
                out.flush();
                return 0;
            }
            // the plaintext is private (0600) and appears under its name only once wholly decrypted and authenticated
            Path target = Path.of(files.get(1)).toAbsolutePath();
            Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            try {
                try (InputStream plain = open(file, encryption, in, decompress);
                     OutputStream o = Files.newOutputStream(temp)) {
                    plain.transferTo(o);
                }
                Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("decrypt failed: " + e.getMessage());
            return 1;
        }
    }

    private static InputStream open(StoredFile file, Encryption encryption, Path in, boolean decompress)
            throws IOException {
        return decompress ? file.openContent() : encryption.decrypt(Files.newInputStream(in), in.getFileName().toString());
    }

    private static int usage(PrintStream err) {
        err.println("usage: decrypt --keyset-file KEYSET.json [--decompress] FILE.enc [OUT|-]");
        return 2;
    }
}
