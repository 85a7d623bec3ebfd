package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.compress.MethodPreset;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.ui.compress.CompressViewModel;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.nio.file.Path;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Compress form's presets: CALDERA's official recipe (knobs outside the form included) and QuIP#. */
class CompressPresetViewModelTest {
    @TempDir
    Path dir;

    private final Preferences prefs =
            Preferences.userRoot().node("dev/llmcw/workbench/presettest-" + System.nanoTime());

    @AfterEach
    void cleanPrefs() throws Exception {
        prefs.removeNode();
    }

    private CompressViewModel compressing(String method) {
        var vm = new WorkbenchViewModel(
                WorkbenchServices.create(dir, dir.resolve("results.db")),
                new SynchronousTaskExecutor(),
                (t, m) -> {},
                new RecentModels(prefs));
        vm.session().setBaseModel(FakeServices.handle(ModelLoader.load(TestData.stories260K(), TestData.tok512())));
        var c = vm.compress();
        c.methodProperty()
                .set(c.methods().stream()
                        .filter(m -> m.name().equals(method))
                        .findFirst()
                        .orElseThrow());
        return c;
    }

    @Test
    void theOfficialRecipeSetsItsKnobsIncludingThoseOutsideTheForm() {
        var c = compressing("caldera");
        MethodPreset fast = c.presets().getFirst();
        assertThat(c.presetProperty().get()).as("the fast default stays first").isEqualTo(fast);
        assertThat(c.settings().parameters())
                .doesNotContainKeys("exact_svd", "hadamard")
                .containsEntry("hessian_downdate", "false");
        MethodPreset official = c.presets().stream()
                .filter(p -> p.label().startsWith("Official recipe"))
                .findFirst()
                .orElseThrow();
        c.presetProperty().set(official);
        assertThat(c.field("quantizer").valueProperty().get()).isEqualTo("e8p");
        assertThat(c.field("hessian_downdate").valueProperty().get()).isEqualTo("true");
        assertThat(c.field("inner_iters").valueProperty().get()).isEqualTo("50");
        // exact_svd and hadamard are not form fields: the preset still sets them
        assertThat(c.settings().parameters())
                .containsEntry("exact_svd", "true")
                .containsEntry("hadamard", "true")
                .containsEntry("hessian_downdate", "true")
                .containsEntry("update_order", "lr_first")
                .containsEntry("rank", "64");
        // editing a field ("Custom") keeps the hidden knobs of the recipe: the official recipe at rank 8
        c.field("rank").valueProperty().set("8");
        assertThat(c.presetProperty().get()).isNull();
        assertThat(c.settings().parameters()).containsEntry("exact_svd", "true").containsEntry("rank", "8");
        // another preset replaces them
        c.presetProperty().set(fast);
        assertThat(c.settings().parameters()).doesNotContainKeys("exact_svd", "hadamard");
    }

    @Test
    void quipSharpIsAMethodOfTheForm() {
        var c = compressing("quip-sharp");
        assertThat(c.methodProperty().get().displayName()).isEqualTo("QuIP#");
        assertThat(c.presetProperty().get().label()).isEqualTo("QuIP# 2-bit (E8P12)");
        assertThat(c.fields())
                .extracting(f -> f.spec().key())
                .contains("bits", "calib")
                .doesNotContain("rank");
    }
}
