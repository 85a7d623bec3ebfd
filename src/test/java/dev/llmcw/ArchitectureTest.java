package dev.llmcw;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine ("core": everything but ui and the launcher) never depends on JavaFX or on the UI. */
class ArchitectureTest {
    private static final String[] FX = {"javafx..", "org.controlsfx..", "org.jfree.chart.fx.."};

    /**
     * Imported once for all rules (the import is most of this test's cost). Only dev.llmcw's own classes
     * are read: a dependency's package is known from its name, so JavaFX and the other jars are not
     * imported (archunit.properties turns off resolving them from the class path).
     */
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.llmcw");
    }

    @Test
    void coreDoesNotImportJavaFx() {
        noClasses().that().resideOutsideOfPackages("dev.llmcw.ui..", "dev.llmcw.app..")
                .should().dependOnClassesThat().resideInAnyPackage(FX)
                .check(classes);
    }

    @Test
    void coreDoesNotDependOnUi() {
        noClasses().that().resideOutsideOfPackages("dev.llmcw.ui..", "dev.llmcw.app..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.llmcw.ui..")
                .check(classes);
    }

    /** The engine runs models and tensors: neither may depend back on it (model.synthetic once used engine.Parallel). */
    @Test
    void modelAndTensorDoNotDependOnEngine() {
        noClasses().that().resideInAnyPackage("dev.llmcw.model..", "dev.llmcw.tensor..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.llmcw.engine..")
                .check(classes);
    }

    /**
     * Engine and tensor methods take at most 8 parameters: a kernel that needs more takes a small parameter
     * object and reads it into locals before its loops (SegmentAttention.HeadBuffers, FloatRows).
     */
    @Test
    void engineAndTensorMethodsTakeAtMostEightParameters() {
        List<String> over = new ArrayList<>();
        for (JavaClass c : classes) {
            if (!c.getPackageName().startsWith("dev.llmcw.engine") && !c.getPackageName().startsWith("dev.llmcw.tensor")) continue;
            for (JavaMethod m : c.getMethods()) {
                // a lambda's captured variables are parameters of its synthetic method
                if (!m.getName().startsWith("lambda$") && m.getRawParameterTypes().size() > 8) over.add(m.getFullName());
            }
        }
        assertThat(over).isEmpty();
    }

    /** Guards the cheap import: the same rule over the UI, which does use JavaFX, must fail. */
    @Test
    void theImportSeesJavaFxWhereTheUiUsesIt() {
        ArchRule uiWithoutFx = noClasses().that().resideInAPackage("dev.llmcw.ui..")
                .should().dependOnClassesThat().resideInAnyPackage(FX);
        assertThatThrownBy(() -> uiWithoutFx.check(classes)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("javafx.");
    }
}
