package dev.llmcw.ui.suites;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.app.RecentModels;
import dev.llmcw.app.SuiteService;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.testing.Slow;
import dev.llmcw.ui.WorkbenchViewModel;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Suites view model with a recording suite service, everything inline through the synchronous executor. */
class SuitesViewModelTest {
    @TempDir
    Path dir;

    private final List<String> errors = new ArrayList<>();
    private final List<SuiteSpec> ran = new ArrayList<>();
    private final List<Path> ranFrom = new ArrayList<>();
    private final AtomicInteger refreshes = new AtomicInteger();
    private final JobsViewModel jobs = new JobsViewModel(new SynchronousTaskExecutor());

    private static final String SUITE = """
            name: sweep
            models:
              - path: models/a.bin
            methods:
              - method: none
              - method: rtn
                params: {group: 64}
                sweep: {bits: [3, 4]}
            tasks: [piqa, tinystories_ppl]
            """;

    private SuitesViewModel vm(SuiteService service) {
        return new SuitesViewModel(service, jobs, (t, m) -> errors.add(t + ": " + m), refreshes::incrementAndGet);
    }

    private SuitesViewModel recording() {
        return vm((spec, file, progress, cancel) -> {
            ran.add(spec);
            ranFrom.add(file);
            progress.log("running " + spec.name());
            return new SuiteReport(spec.name(), 2, 0, spec.runCount(), 0, List.of(1L, 2L), List.of());
        });
    }

    @Test
    void openEditValidateFixAndRun() throws Exception {
        Path file = dir.resolve("sweep.yaml");
        Files.writeString(file, SUITE);
        var vm = recording();
        vm.open(file);
        assertThat(vm.validProperty().get()).isTrue();
        assertThat(vm.summaryProperty().get()).isEqualTo("sweep: 1 model(s) × 3 setting(s) × 2 task(s) = 6 runs");
        assertThat(vm.dirtyProperty().get()).isFalse();

        // a misspelt key: the error names the file and the line
        vm.textProperty().set(SUITE.replace("tasks:", "taks:"));
        assertThat(vm.dirtyProperty().get()).isTrue();
        assertThat(vm.validate()).isEmpty();
        assertThat(vm.validProperty().get()).isFalse();
        assertThat(vm.summaryProperty().get())
                .startsWith("Invalid: ")
                .contains("sweep.yaml")
                .contains("\"taks\"")
                .contains("line 9");
        // running an invalid suite reports and queues nothing
        assertThat(vm.run()).isEmpty();
        assertThat(errors).singleElement().asString().startsWith("Suite is not valid");
        assertThat(jobs.jobs()).isEmpty();

        // fixed, with one more setting: the edited text (not the file) is what runs
        vm.textProperty().set(SUITE.replace("[3, 4]", "[2, 3, 4]"));
        assertThat(vm.validate()).isPresent();
        assertThat(vm.summaryProperty().get()).endsWith("= 8 runs");
        var job = vm.run().orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(job.log()).anyMatch(l -> l.contains("running sweep"));
        assertThat(ran).singleElement().satisfies(s -> assertThat(s.runCount()).isEqualTo(8));
        assertThat(ranFrom).containsExactly(file.toAbsolutePath().normalize());
        assertThat(refreshes).hasValue(1);
        assertThat(vm.lastReportProperty().get()).contains("evaluated 8 run(s)");
        assertThat(Files.readString(file)).isEqualTo(SUITE); // not saved yet

        assertThat(vm.save()).isTrue();
        assertThat(Files.readString(file)).contains("[2, 3, 4]");
        assertThat(vm.dirtyProperty().get()).isFalse();
    }

    @Test
    void saveAsWritesTheNewFileAndValidatesAgainstIt() throws Exception {
        var vm = recording();
        assertThat(vm.save()).isFalse(); // nothing open
        vm.textProperty().set(SUITE);
        Path target = dir.resolve("sub").resolve("new.yaml");
        Files.createDirectories(target.getParent());
        assertThat(vm.saveAs(target)).isTrue();
        assertThat(Files.readString(target)).isEqualTo(SUITE);
        assertThat(vm.fileProperty().get()).isEqualTo(target.toAbsolutePath().normalize());
        assertThat(vm.validProperty().get()).isTrue();
    }

    @Test
    void openingAMissingFileReportsIt() {
        var vm = recording();
        vm.open(dir.resolve("nope.yaml"));
        assertThat(errors)
                .singleElement()
                .asString()
                .startsWith("Cannot open suite")
                .contains("nope.yaml");
        assertThat(vm.fileProperty().get()).isNull();
    }

    @Test
    void cancellingTheJobStopsTheSuite() throws Exception {
        Path file = dir.resolve("sweep.yaml");
        Files.writeString(file, SUITE);
        var vm = vm((spec, f, progress, cancel) -> {
            // the user presses Cancel in Jobs while the suite runs
            jobs.jobs().getLast().cancel();
            cancel.throwIfCancelled();
            throw new AssertionError("suite went on after cancel");
        });
        vm.open(file);
        var job = vm.run().orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.log()).anyMatch(l -> l.contains("cancel requested"));
        assertThat(errors).isEmpty();
    }

    @Test
    void aFailingSuiteFailsItsJobAndStillRefreshesResults() throws Exception {
        Path file = dir.resolve("sweep.yaml");
        Files.writeString(file, SUITE);
        var vm = vm((spec, f, progress, cancel) -> {
            throw new IllegalStateException("disk full");
        });
        vm.open(file);
        var job = vm.run().orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(vm.lastReportProperty().get()).contains("disk full");
        assertThat(refreshes).hasValue(1);
    }

    /**
     * The real chain: the root view model's Suites view runs a suite file with the services of this
     * build (real compression and evaluation of stories260K), and the finished runs appear in Results.
     */
    @Slow
    @Test
    void aSuiteRunWithTheRealServicesShowsUpInResults() throws Exception {
        var prefs = Preferences.userRoot().node("dev/llmcw/workbench/suitetest-" + System.nanoTime());
        try {
            var services = WorkbenchServices.create(dir.resolve("ws"), dir.resolve("results.db"));
            var root = new WorkbenchViewModel(
                    services,
                    new SynchronousTaskExecutor(),
                    (t, m) -> errors.add(t + ": " + m),
                    new RecentModels(prefs));
            Path file = dir.resolve("real.yaml");
            Files.writeString(file, """
                    name: real
                    workDir: work
                    models:
                      - path: %s
                        label: s260
                    methods:
                      - method: none
                      - method: rtn
                        params: {group: 64, bits: 4}
                    tasks: [piqa]
                    options: {limit: 3}
                    """.formatted(
                    dev.llmcw.TestData.stories260K().toAbsolutePath().toString().replace("\\", "/")));
            root.suites().open(file);
            assertThat(root.suites().summaryProperty().get()).endsWith("= 2 runs");
            assertThat(root.results().runs()).isEmpty();
            var job = root.suites().run().orElseThrow();
            assertThat(job.state()).as("log: %s", job.log()).isEqualTo(JobState.DONE);
            assertThat(errors).isEmpty();
            assertThat(root.suites().lastReportProperty().get())
                    .contains("compressed 1")
                    .contains("evaluated 2 run(s)")
                    .contains("0 failure(s)");
            assertThat(root.results().runs()).hasSize(2);
            assertThat(Files.list(dir.resolve("work").resolve("s260")))
                    .anyMatch(p -> p.toString().endsWith(".safetensors"));
        } finally {
            prefs.removeNode();
        }
    }

    @Test
    void aPaperPresetRunsInOneClickOnTheChosenModelWithTheChosenLimit() throws Exception {
        var vm = recording();
        assertThat(vm.presets()).containsExactly("seedlm-paper", "caldera-paper", "caldera-official");
        Path model = Files.writeString(dir.resolve("m.bin"), "weights");
        vm.presetModelProperty().set(model);
        vm.presetLimitProperty().set(5);
        vm.presetsDirProperty().set(dir.resolve("presets"));
        var job = vm.runPreset("caldera-paper").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(errors).isEmpty();
        SuiteSpec s = ran.getFirst();
        assertThat(s.name()).isEqualTo("caldera-paper");
        assertThat(s.models())
                .singleElement()
                .satisfies(m ->
                        assertThat(m.path()).isEqualTo(model.toAbsolutePath().toString()));
        assertThat(s.options().limit()).isEqualTo(5);
        assertThat(s.tasks()).contains("c4", "rte");
        // saved as a suite file, so the report folder lands beside it
        assertThat(ranFrom.getFirst()).isEqualTo(dir.resolve("presets/caldera-paper.yaml"));
        assertThat(vm.fileProperty().get()).isEqualTo(ranFrom.getFirst());
        assertThat(vm.summaryProperty().get())
                .isEqualTo("caldera-paper: 1 model(s) × 4 setting(s) × 7 task(s) = 28 runs");

        vm.presetModelProperty().set(null);
        assertThat(vm.runPreset("seedlm-paper")).isEmpty();
        assertThat(errors).singleElement().asString().startsWith("No model for the preset");
    }
}
