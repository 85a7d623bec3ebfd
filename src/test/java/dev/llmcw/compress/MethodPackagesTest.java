package dev.llmcw.compress;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The method packages depend on {@code compress} and {@code model}, never the other way round: the registry
 * finds the methods (and {@code model} finds the compressed-file reader) through META-INF/services.
 */
class MethodPackagesTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.llmcw");

    @Test
    void modelDoesNotDependOnCompression() {
        noClasses()
                .that()
                .resideInAPackage("dev.llmcw.model..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.llmcw.compress..")
                .check(classes);
    }

    @Test
    void compressDoesNotDependOnTheMethodPackages() {
        noClasses()
                .that()
                .resideInAPackage("dev.llmcw.compress")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.llmcw.compress.seedlm..",
                        "dev.llmcw.compress.caldera..",
                        "dev.llmcw.compress.rtn..",
                        "dev.llmcw.compress.gptq..",
                        "dev.llmcw.compress.awq..",
                        "dev.llmcw.compress.kquant..")
                .check(classes);
    }
}
