package io.taskagent.backup.worker.format;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * Makes and rotates encryption keysets without Tinkey: {@code java -jar backup-worker.jar keyset new} prints a new
 * keyset of one {@code AES256_GCM_HKDF_1MB} key; {@code keyset rotate KEYSET.json} prints that keyset with a new key
 * added as primary (new backups use it; the old keys stay, so old backups stay readable). Store the output where
 * {@code BACKUP_ENCRYPTION_KEYSET_FILE} points, readable by the worker only.
 */
public final class KeysetCommand {

    private KeysetCommand() {
    }

    /** Runs the command; returns the exit status (0 done, 1 failed, 2 usage). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Encryption.none(); // registers Tink's streaming AEAD key types
        try {
            if (args.size() == 1 && args.get(0).equals("new")) {
                out.println(Encryption.toJson(KeysetHandle.generateNew(
                        PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB)));
                return 0;
            }
            if (args.size() == 2 && args.get(0).equals("rotate")) {
                Encryption.of(Files.readString(Path.of(args.get(1))), args.get(1)); // a keyset the worker can use
                KeysetHandle old = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(Path.of(args.get(1))),
                        InsecureSecretKeyAccess.get());
                out.println(Encryption.toJson(KeysetHandle.newBuilder(old).addEntry(KeysetHandle
                        .generateEntryFromParameters(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB)
                        .withRandomId().makePrimary()).build()));
                return 0;
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            err.println("keyset failed: " + e.getMessage());
            return 1;
        }
        err.println("usage: keyset new | keyset rotate KEYSET.json");
        return 2;
    }
}
