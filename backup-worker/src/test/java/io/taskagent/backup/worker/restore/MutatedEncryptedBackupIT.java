package io.taskagent.backup.worker.restore;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import io.taskagent.backup.worker.format.Encryption;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;

/**
 * Issue 16, scenario 9 (files), encrypted at rest (Tink streaming AEAD, {@code backup.encryption.keyset}): 300
 * byte-level mutations of real encrypted backup files and of their manifests, each refused by verify and by restore,
 * no target touched ({@link MutationCampaign}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class MutatedEncryptedBackupIT extends MutationCampaign {

    static Path storage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        storage = register(registry, "backup_catalog_it_mutated_enc", "mutenc");
        Encryption.none(); // registers Tink's streaming AEAD
        KeysetHandle key = KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
        String keyset = Encryption.toJson(key);
        registry.add("backup.encryption.keyset", () -> keyset);
    }

    @Override
    int fileMutations() {
        return 200;
    }

    @Override
    int manifestMutations() {
        return 100;
    }

    @Override
    long seed() {
        return 16_090L;
    }

    @Override
    String prefix() {
        return "mutenc";
    }

    @Override
    String expectedSuffix() {
        return ".json.zst.enc";
    }

    @Override
    String storageDirectory() {
        return storage.toString();
    }
}
