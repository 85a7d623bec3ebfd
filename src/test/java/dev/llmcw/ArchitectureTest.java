package dev.llmcw;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.llmcw.ui..", "dev.llmcw.app..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(FX)
                .check(classes);
    }

    @Test
    void coreDoesNotDependOnUi() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.llmcw.ui..", "dev.llmcw.app..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.llmcw.ui..")
                .check(classes);
    }

    /** The engine runs models and tensors: neither may depend back on it (model.synthetic once used engine.Parallel). */
    @Test
    void modelAndTensorDoNotDependOnEngine() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.llmcw.model..", "dev.llmcw.tensor..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.llmcw.engine..")
                .check(classes);
    }

    /**
     * No method or constructor takes more than 8 parameters: code that needs more takes a small parameter
     * object; a hot kernel reads it into locals before its loops (SegmentAttention.HeadBuffers, FloatRows,
     * Dense.Operands). Exempt: a record's canonical constructor (its components are the record's fields, not
     * an argument list) and a lambda's synthetic method (its captured variables are parameters).
     */
    @Test
    void methodsAndConstructorsTakeAtMostEightParameters() {
        assertThat(overEightParameters(classes)).isEmpty();
    }

    /** Guards the rule's exemptions: they must not hide an ordinary method or constructor. */
    @Test
    void theParameterRuleSeesMethodsAndConstructors() {
        JavaClasses fixtures = new ClassFileImporter().importClasses(NineParameters.class, NineComponents.class);
        assertThat(overEightParameters(fixtures))
                .containsExactlyInAnyOrder(
                        NineParameters.class.getName() + ".<init>(int, int, int, int, int, int, int, int, int)",
                        NineParameters.class.getName() + ".nine(int, int, int, int, int, int, int, int, int)");
    }

    private static List<String> overEightParameters(JavaClasses imported) {
        List<String> over = new ArrayList<>();
        for (JavaClass c : imported) {
            for (JavaCodeUnit unit : c.getCodeUnits()) {
                if (unit.getRawParameterTypes().size() <= 8 || unit.getName().startsWith("lambda$")) continue;
                if (unit instanceof JavaConstructor && isCanonicalRecordConstructor(c, unit)) continue;
                over.add(unit.getFullName());
            }
        }
        return over;
    }

    private static boolean isCanonicalRecordConstructor(JavaClass c, JavaCodeUnit constructor) {
        if (!c.isRecord()) return false;
        List<String> components = Arrays.stream(c.reflect().getRecordComponents())
                .map(rc -> rc.getType().getName())
                .toList();
        List<String> parameters = constructor.getRawParameterTypes().stream()
                .map(JavaClass::getName)
                .toList();
        return components.equals(parameters);
    }

    @SuppressWarnings("unused")
    private static final class NineParameters {
        NineParameters(int a, int b, int c, int d, int e, int f, int g, int h, int i) {}

        static void nine(int a, int b, int c, int d, int e, int f, int g, int h, int i) {}

        static void eight(int a, int b, int c, int d, int e, int f, int g, int h) {}
    }

    private record NineComponents(int a, int b, int c, int d, int e, int f, int g, int h, int i) {}

    /** Guards the cheap import: the same rule over the UI, which does use JavaFX, must fail. */
    @Test
    void theImportSeesJavaFxWhereTheUiUsesIt() {
        ArchRule uiWithoutFx = noClasses()
                .that()
                .resideInAPackage("dev.llmcw.ui..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(FX);
        assertThatThrownBy(() -> uiWithoutFx.check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("javafx.");
    }

    /**
     * The layers, top to bottom: a layer may be used only by the layers above it (so the picture in
     * docs/architecture.md is what the code does). The launcher, in the root package, sits above them all.
     */
    static final String[] LAYERS = {
        "ui",
        "cli",
        "app",
        "cluster",
        "suite",
        "report",
        "data",
        "results",
        "compress",
        "eval",
        "engine",
        "model",
        "tokenizer",
        "tensor",
        "util"
    };

    @Test
    void layersAreUsedOnlyFromAbove() {
        var arch = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String layer : LAYERS) arch = arch.layer(layer).definedBy("dev.llmcw." + layer + "..");
        arch = arch.whereLayer(LAYERS[0]).mayNotBeAccessedByAnyLayer();
        for (int i = 1; i < LAYERS.length; i++) {
            arch = arch.whereLayer(LAYERS[i]).mayOnlyBeAccessedByLayers(Arrays.copyOf(LAYERS, i));
        }
        arch.check(classes);
    }

    /** No two packages depend on each other, directly or through others (every package is its own slice). */
    @Test
    void noCyclesBetweenPackages() {
        slices().matching("dev.llmcw.(**)").should().beFreeOfCycles().check(classes);
    }
}
