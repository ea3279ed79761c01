package io.taskagent.backup.system;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.taskagent.backup.model.BackupMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The build guards its own shape: services share only shared-model; messages are records. */
class ArchitectureTest {

    static JavaClasses classes;

    @BeforeAll
    static void importAll() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.taskagent.backup");
    }

    @Test
    void servicesDoNotDependOnEachOther() {
        ArchRule rule = slices().matching("io.taskagent.backup.(gateway|worker|scheduler|alert)..")
                .should().notDependOnEachOther();
        rule.check(classes);
    }

    @Test
    void theSharedModelDependsOnNoService() {
        noClasses().that().resideInAPackage("io.taskagent.backup.model..")
                .should().dependOnClassesThat().resideInAnyPackage("io.taskagent.backup.gateway..",
                        "io.taskagent.backup.worker..", "io.taskagent.backup.scheduler..", "io.taskagent.backup.alert..")
                .check(classes);
    }

    @Test
    void messagesAreRecords() {
        classes().that().implement(BackupMessage.class).should().beRecords().check(classes);
    }

    @Test
    void packagesWithinEachServiceAreFreeOfCycles() {
        slices().matching("io.taskagent.backup.(*).(*)..").should().beFreeOfCycles().check(classes);
    }
}
