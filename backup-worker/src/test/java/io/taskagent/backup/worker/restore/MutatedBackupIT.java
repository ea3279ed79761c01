package io.taskagent.backup.worker.restore;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;

/**
 * Issue 16, scenario 9 (files): 700 byte-level mutations of real backup files in the clear (zstd) and of their
 * manifests, each refused by verify and by restore, no target touched ({@link MutationCampaign}); the encrypted
 * format's 300 are {@link MutatedEncryptedBackupIT}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class MutatedBackupIT extends MutationCampaign {

    static Path storage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        storage = register(registry, "backup_catalog_it_mutated", "mut");
    }

    @Override
    int fileMutations() {
        return 480;
    }

    @Override
    int manifestMutations() {
        return 220;
    }

    @Override
    long seed() {
        return 16_009L;
    }

    @Override
    String prefix() {
        return "mut";
    }

    @Override
    String expectedSuffix() {
        return ".json.zst";
    }

    @Override
    String storageDirectory() {
        return storage.toString();
    }
}
