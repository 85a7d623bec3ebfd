package dev.llmcw.ui.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.app.ModelHandle;
import dev.llmcw.app.ModelService;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import dev.llmcw.compress.caldera.adapt.FinetuneSettings;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.results.FinetuneRuns;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.ui.WorkbenchViewModel;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.Preferences;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fine-tuning form (defaults, one sentence per bad field, overlap refused) and the job on stories260K
 * CALDERA rank 8, ft_rank 8 with a 4-step schedule: the loss points, the adapted model in the session, and a
 * cancelled run resumed from its checkpoint ending where an uninterrupted run ends.
 */
class FinetuneViewModelTest {
    @TempDir
    Path dir;

    private final Preferences prefs =
            Preferences.userRoot().node("dev/llmcw/workbench/finetunetest-" + System.nanoTime());
    private final List<String> errors = new ArrayList<>();
    private WorkbenchViewModel vm;
    private Path[] texts;

    @BeforeEach
    void compress() throws Exception {
        vm = new WorkbenchViewModel(
                WorkbenchServices.create(dir, dir.resolve("results.db")),
                new SynchronousTaskExecutor(),
                (t, m) -> errors.add(t + ": " + m),
                new RecentModels(prefs));
        var base = ModelLoader.load(TestData.stories260K(), TestData.tok512());
        vm.session().setBaseModel(ModelService.handle(base, base.source()));
        texts = FinetuneFixture.texts(dir);
    }

    @AfterEach
    void cleanPrefs() throws Exception {
        prefs.removeNode();
    }

    @Test
    void theFormStartsAtTheDefaultsAndNamesEachBadField() throws Exception {
        var f = vm.finetune();
        assertThat(f.epochsProperty().get()).isEqualTo(String.valueOf(FinetuneSettings.DEFAULTS.epochs()));
        assertThat(f.lrProperty().get()).isEqualTo(String.valueOf(FinetuneSettings.DEFAULTS.lr()));
        assertThat(f.blockLenProperty().get()).isEqualTo(String.valueOf(FinetuneSettings.DEFAULTS.blockLen()));
        assertThat(f.seedProperty().get()).isEqualTo(String.valueOf(FinetuneSettings.DEFAULTS.seed()));
        assertThat(f.validationProperty().get()).contains("Compress a model with CALDERA and ft_rank > 0 first");
        assertThat(f.canStart().get()).isFalse();

        FinetuneFixture.compressCaldera(vm, texts[0]);
        assertThat(f.modelProperty().get())
                .as("the CALDERA model just compressed")
                .isNotNull();
        assertThat(f.validationProperty().get())
                .isEqualTo("Training text is required: choose a UTF-8 text file to train on.");
        FinetuneFixture.shortSchedule(f, texts);
        assertThat(f.validationProperty().get()).isEmpty();
        assertThat(f.settings()).isEqualTo(new FinetuneSettings(128, 1, 1e-3, 0.001, 0.02, 1.0, 1, 0, false, false));

        f.epochsProperty().set("two");
        assertThat(f.validationProperty().get()).isEqualTo("Epochs must be a whole number, not \"two\".");
        f.epochsProperty().set("0");
        assertThat(f.validationProperty().get()).isEqualTo("Epochs must be at least 1, not 0.");
        f.epochsProperty().set("1");
        f.lrProperty().set("0");
        assertThat(f.validationProperty().get()).startsWith("Learning rate must be a number between 0 and 1");
        f.lrProperty().set("1e-3");
        f.blockLenProperty().set("1");
        assertThat(f.validationProperty().get()).isEqualTo("Block length must be at least 2, not 1.");
        f.blockLenProperty().set("128");
        f.seedProperty().set("1.5");
        assertThat(f.validationProperty().get()).isEqualTo("Seed must be a whole number, not \"1.5\".");
        f.seedProperty().set("0");
        f.heldOutTextProperty().set(dir.resolve("missing.txt").toString());
        assertThat(f.validationProperty().get())
                .contains("Held-out text")
                .contains("missing.txt")
                .contains("does not exist");
        f.heldOutTextProperty().set(texts[0].toString());
        assertThat(f.validationProperty().get())
                .startsWith("Held-out text must be another file than the training text");
        assertThat(f.canStart().get()).isFalse();
        assertThatThrownBy(f::start).hasMessageContaining("Held-out text must be another file");

        // another file with the same passages: refused before the first step, as the finetune command refuses it
        Path copy = Files.copy(texts[0], dir.resolve("copy.txt"));
        f.heldOutTextProperty().set(copy.toString());
        assertThat(f.validationProperty().get()).isEmpty();
        var job = f.start();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.errorProperty().get())
                .contains("shares")
                .contains("passages")
                .contains("held-out text");
        assertThat(f.losses()).isEmpty();
        assertThat(errors).singleElement().asString().contains("Fine-tuning failed");
    }

    @Test
    void theJobReportsEveryStepAndAddsTheAdaptedModel() throws Exception {
        FinetuneFixture.compressCaldera(vm, texts[0]);
        var f = vm.finetune();
        ModelHandle source = f.modelProperty().get();
        FinetuneFixture.shortSchedule(f, texts);
        var job = f.start();
        assertThat(job.state()).as(job.errorProperty().get()).isEqualTo(JobState.DONE);
        assertThat(f.losses()).extracting(FinetuneViewModel.LossPoint::step).containsExactly(0, 1, 2, 3, 4);
        assertThat(f.losses().getFirst().train())
                .as("step 0: the held-out loss before training")
                .isNaN();
        assertThat(f.losses().subList(1, 5))
                .allSatisfy(p -> assertThat(p.train()).isBetween(0.0, 20.0));
        // the held-out loss before training, then at steps 2 and 4 only (every 2 steps and after the last)
        assertThat(f.losses().stream().filter(p -> !Double.isNaN(p.heldOut())))
                .extracting(FinetuneViewModel.LossPoint::step)
                .containsExactly(0, 2, 4);
        assertThat(job.log()).anyMatch(l -> l.contains("held-out loss"));
        assertThat(f.summaryProperty().get()).contains("held-out loss").contains("(4 steps)");

        ModelHandle adapted = vm.session().models().getLast();
        assertThat(adapted.name()).endsWith("· fine-tuned");
        assertThat(adapted.path()).exists().isNotEqualTo(source.path());
        assertThat(adapted.path().resolveSibling(adapted.path().getFileName() + ".ckpt"))
                .doesNotExist();
        assertThat(adapted.report().parameters())
                .containsKeys(AdaptedCalderaModel.KEY_FINETUNE, AdaptedCalderaModel.KEY_FINETUNE_TEXT)
                .containsEntry("ft_rank", "8");
        assertThat(adapted.report().parameters().get(AdaptedCalderaModel.KEY_FINETUNE_TEXT))
                .isEqualTo("train.txt, 4 × 128 tokens");
        assertThat(FinetuneViewModel.isAdaptable(adapted))
                .as("an adapted model is not offered again")
                .isFalse();
        assertThat(f.modelProperty().get()).isEqualTo(source);
        // the file loads as a model with the adapted settings recorded
        var reloaded = ModelLoader.load(adapted.path(), TestData.tok512());
        assertThat(reloaded.label()).isNotEmpty();
        // and the fine-tuning stored a run of its own: the held-out loss, with the settings in its identity
        try (ResultsStore store = ResultsStore.open(dir.resolve("results.db"))) {
            assertThat(store.listRuns(RunFilter.all()))
                    .filteredOn(r -> r.task().equals(FinetuneRuns.TASK))
                    .singleElement()
                    .satisfies(r -> {
                        assertThat(r.methodParams()).containsKey(AdaptedCalderaModel.KEY_FINETUNE);
                        assertThat(r.metrics()).extracting(m -> m.name()).contains("loss", "perplexity");
                    });
        }
    }

    @Test
    void aCancelledRunResumesFromItsCheckpointToTheSameResult() throws Exception {
        FinetuneFixture.compressCaldera(vm, texts[0]);
        var f = vm.finetune();
        FinetuneFixture.shortSchedule(f, texts);
        var whole = f.start();
        assertThat(whole.state()).isEqualTo(JobState.DONE);
        double uninterrupted = f.losses().getLast().heldOut();
        Path adapted = vm.session().models().getLast().path();
        byte[] uninterruptedFile = Files.readAllBytes(adapted);
        Files.delete(adapted);

        // cancel once step 2 is reported (after the step-0 point): the run stops before step 3 and keeps its state
        ListChangeListener<FinetuneViewModel.LossPoint> cancelAtTwo = c -> {
            if (f.losses().size() == 3) vm.jobs().jobs().getLast().cancel();
        };
        f.losses().addListener(cancelAtTwo);
        var job = f.start();
        f.losses().removeListener(cancelAtTwo);
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(f.losses()).extracting(FinetuneViewModel.LossPoint::step).containsExactly(0, 1, 2);
        Path ckpt = adapted.resolveSibling(adapted.getFileName() + ".ckpt");
        assertThat(ckpt).exists();
        assertThat(adapted).doesNotExist();

        job.resume();
        assertThat(job.state()).as(job.errorProperty().get()).isEqualTo(JobState.DONE);
        assertThat(f.losses()).extracting(FinetuneViewModel.LossPoint::step).containsExactly(0, 1, 2, 3, 4);
        assertThat(f.losses().getLast().heldOut()).isEqualTo(uninterrupted);
        assertThat(ckpt).doesNotExist();
        assertThat(Files.readAllBytes(adapted))
                .as("the same adapted model as without the interruption")
                .isEqualTo(uninterruptedFile);
    }

    @Test
    void theBlockwiseSwitchesAreCheckedAndTheStageRunsAsAJob() throws Exception {
        FinetuneFixture.compressCaldera(vm, texts[0]);
        var f = vm.finetune();
        FinetuneFixture.shortSchedule(f, texts);
        assertThat(f.blockwise().enabled()).isFalse();
        assertThat(f.endToEndProperty().get()).isTrue();
        f.endToEndProperty().set(false);
        assertThat(f.validationProperty().get()).startsWith("Without the end-to-end stage there is nothing to train");
        f.blockwiseHadamardProperty().set(true);
        assertThat(f.validationProperty().get())
                .isEqualTo("Development text is required: choose a UTF-8 text file to train on.");
        f.devTextProperty().set(texts[1].toString());
        assertThat(f.validationProperty().get())
                .isEqualTo("Development text must be another file than the training and held-out texts.");
        Path dev = dir.resolve("dev.txt");
        String all = Files.readString(TestData.require("datasets/tinystories/tinystories_val_subset.txt"));
        var stories = Perplexity.split(all, Perplexity.Documents.BLANK_LINE);
        Files.writeString(dev, String.join("\n\n", stories.subList(1000, 1040)));
        f.devTextProperty().set(dev.toString());
        assertThat(f.validationProperty().get()).isEmpty();

        var job = f.start();
        assertThat(job.state()).as(job.errorProperty().get()).isEqualTo(JobState.DONE);
        ModelHandle adapted = vm.session().models().getLast();
        assertThat(adapted.report().parameters())
                .containsEntry(AdaptedCalderaModel.KEY_FINETUNE, "block-wise only")
                .containsKey(AdaptedCalderaModel.KEY_BLOCKWISE);
        assertThat(SafetensorsFile.open(adapted.path()).has("model.layers.0.self_attn.q_proj.weight.caldera.SU"))
                .isTrue();
        assertThat(f.summaryProperty().get()).contains("(0 steps)");
    }
}
