package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.ui.compress.CompressViewModel;
import dev.llmcw.ui.evaluate.EvaluateViewModel;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each invalid field of the Evaluate and Compress forms gets its message, and no job is started. */
class FormValidationTest {
    @TempDir
    Path dir;

    private final SynchronousTaskExecutor sync = new SynchronousTaskExecutor();
    private final List<String> errors = new ArrayList<>();
    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/formtest-" + System.nanoTime());

    @AfterEach
    void cleanPrefs() throws Exception {
        prefs.removeNode();
    }

    private WorkbenchViewModel workbench(WorkbenchServices s) {
        return new WorkbenchViewModel(s, sync, (t, m) -> errors.add(t + ": " + m), new RecentModels(prefs));
    }

    private final FakeServices.FakeEvaluation eval = new FakeServices.FakeEvaluation();

    /** An evaluation form that could run: a model, PIQA, 10 items. */
    private WorkbenchViewModel readyToEvaluate() {
        var vm = workbench(FakeServices.with(dir, new FakeServices.FakeCompression(), eval));
        vm.session().setBaseModel(FakeServices.handle(ModelLoader.load(TestData.stories260K())));
        vm.evaluate().task("piqa").selectedProperty().set(true);
        vm.evaluate().limitProperty().set(10);
        assertThat(vm.evaluate().problem()).isNull();
        return vm;
    }

    private void startsNoJob(WorkbenchViewModel vm, EvaluateViewModel e, String message) {
        assertThat(e.problem()).isEqualTo(message);
        assertThatThrownBy(e::run).isInstanceOf(IllegalStateException.class).hasMessage(message);
        assertThat(vm.jobs().jobs()).isEmpty();
        assertThat(eval.requests).isEmpty();
    }

    @Test
    void aSeedThatIsNotANumberIsShownNextToTheFieldAndStartsNoJob() {
        var vm = readyToEvaluate();
        var e = vm.evaluate();
        e.seedTextProperty().set("abc");
        assertThat(e.seedErrorProperty().get()).isEqualTo("Seed must be a whole number, not \"abc\"");
        startsNoJob(vm, e, "Seed must be a whole number, not \"abc\"");
        e.seedTextProperty().set(" 42 ");
        assertThat(e.seedErrorProperty().get()).isEmpty();
        assertThat(e.seedProperty().get()).isEqualTo(42);
        assertThat(e.problem()).isNull();
    }

    @Test
    void aNegativeLimitStartsNoJob() {
        var vm = readyToEvaluate();
        vm.evaluate().limitProperty().set(-5);
        startsNoJob(vm, vm.evaluate(), "Items per task must be 0 (all items) or a positive number of items, not -5");
    }

    @Test
    void aDataFolderThatIsGoneStartsNoJob() {
        var vm = readyToEvaluate();
        vm.evaluate().dataDirProperty().set(dir.resolve("gone"));
        startsNoJob(vm, vm.evaluate(), "evaluation data folder " + dir.resolve("gone") + " does not exist");
    }

    /** The real methods on stories260K with its tokenizer, GPTQ or CALDERA chosen. */
    private CompressViewModel compressing(WorkbenchViewModel vm, String method) {
        vm.session().setBaseModel(FakeServices.handle(ModelLoader.load(TestData.stories260K(), TestData.tok512())));
        var c = vm.compress();
        c.methodProperty()
                .set(c.methods().stream()
                        .filter(m -> m.name().equals(method))
                        .findFirst()
                        .orElseThrow());
        return c;
    }

    private void compressStartsNoJob(WorkbenchViewModel vm, CompressViewModel c, String message) {
        assertThat(c.field("calib").errorProperty().get()).isEqualTo(message);
        assertThat(c.validationProperty().get()).isEqualTo(message);
        assertThat(c.canCompress().get()).isFalse();
        assertThatThrownBy(c::compress)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
        assertThat(vm.jobs().jobs()).isEmpty();
    }

    @Test
    void aHalfTypedCustomSeedLmSettingIsAnInvalidSettingNotAFailedTask() {
        // Before: the estimate threw in the background and every keystroke logged "background task failed".
        var failures = new ArrayList<LogRecord>();
        Logger log = Logger.getLogger("");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.SEVERE.intValue()) failures.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(h);
        try {
            var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
            var c = compressing(vm, "seedlm");
            // a custom block being typed: the preset's P and K cleared, C entered
            c.field("P").valueProperty().set("");
            c.field("K").valueProperty().set("");
            c.field("C").valueProperty().set("12");
            assertThat(c.estimateProperty().get()).isEqualTo("Invalid setting");
            assertThat(c.estimateDetailProperty().get())
                    .isEqualTo("a custom SeedLM setting needs all of --C, --P and --K");
            assertThat(failures).extracting(LogRecord::getMessage).isEmpty();
        } finally {
            log.removeHandler(h);
        }
    }

    @Test
    void aMissingOrEmptyCalibrationFileIsShownAtTheFieldAndStartsNoJob() throws Exception {
        var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
        var c = compressing(vm, "gptq");
        c.field("calib").valueProperty().set(dir.resolve("gone.txt").toString());
        compressStartsNoJob(vm, c, "Calibration file: no such file " + dir.resolve("gone.txt"));
        Path empty = Files.writeString(dir.resolve("empty.txt"), "  \n");
        c.field("calib").valueProperty().set(empty.toString());
        compressStartsNoJob(vm, c, empty + ": calibration file is empty (no text to calibrate on)");
    }

    @Test
    void aCalibrationFileWithTooFewTokensSaysWhatToLowerBeforeAnyJob() throws Exception {
        var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
        var c = compressing(vm, "gptq");
        Path calib = Files.writeString(dir.resolve("calib.txt"), "Once upon a time there was a cat. ".repeat(10));
        c.field("calib_seqs").valueProperty().set("8");
        c.field("calib_len").valueProperty().set("64");
        c.field("calib").valueProperty().set(calib.toString());
        String message = c.field("calib").errorProperty().get();
        assertThat(message)
                .startsWith(calib + ": tokenises to ")
                .contains("8 calibration sequences of 64 need 504; lower calib_seqs to ");
        compressStartsNoJob(vm, c, message);
        // enough tokens for fewer sequences: the field is clean and the button enabled again
        c.field("calib_seqs").valueProperty().set("1");
        assertThat(c.field("calib").errorProperty().get()).isEmpty();
        assertThat(c.canCompress().get()).isTrue();
    }

    @Test
    void aCalderaRankThatMakesTheModelLargerIsWarnedLiveNextToTheSize() throws Exception {
        var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
        var c = compressing(vm, "caldera");
        Path calib = Files.writeString(dir.resolve("calib.txt"), "Once upon a time there was a cat. ".repeat(2000));
        c.field("calib").valueProperty().set(calib.toString());
        c.field("calib_seqs").valueProperty().set("4");
        c.field("calib_len").valueProperty().set("64");
        c.field("rank").valueProperty().set("4");
        assertThat(c.estimateValueProperty().get()).isNotNull();
        assertThat(c.sizeWarningProperty().get()).isEmpty();
        // rank 64 = min(rows, cols) of stories260K with 32-bit factors: more bytes than the F32 original
        c.field("rank").valueProperty().set("64");
        c.field("lr_bits").valueProperty().set("32");
        assertThat(c.estimateValueProperty().get()).isNotNull();
        assertThat(c.sizeWarningProperty().get())
                .startsWith("warning: this setting makes the model larger than the original (");
        // a warning, not an error: the researcher may still want this point
        assertThat(c.canCompress().get()).isTrue();
    }

    @Test
    void aCalibrationFileQuotingTheEvaluationTextIsWarnedButAllowed() throws Exception {
        var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
        var c = compressing(vm, "gptq");
        c.field("calib_seqs").valueProperty().set("2");
        c.field("calib_len").valueProperty().set("64");
        Path stories = TestData.require("datasets/tinystories/tinystories_val_subset.txt");
        Path calib = Files.writeString(
                dir.resolve("calib.txt"), Files.readString(stories).substring(0, 4000));
        c.field("calib").valueProperty().set(calib.toString());
        assertThat(c.calibrationWarningProperty().get())
                .startsWith("warning: the calibration file " + calib + " shares ")
                .contains("the evaluation text " + stories);
        assertThat(c.canCompress().get()).isTrue();
        Path own = Files.writeString(dir.resolve("own.txt"), "Zebras quietly compute eigenvalues at dawn. ".repeat(60));
        c.field("calib").valueProperty().set(own.toString());
        assertThat(c.calibrationWarningProperty().get()).isEmpty();
    }
}
