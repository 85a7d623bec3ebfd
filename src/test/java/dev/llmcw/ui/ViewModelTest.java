package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.app.EngineEvaluationService;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.ResultsService;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.report.ChartFiles;
import dev.llmcw.report.LayerError;
import dev.llmcw.report.ReferencePoints;
import dev.llmcw.report.ReportFixturesAccess;
import dev.llmcw.report.RunRow;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.RunStatus;
import dev.llmcw.ui.charts.ChartsViewModel;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Logs;
import dev.llmcw.util.ProgressListener;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.prefs.Preferences;
import org.assertj.core.data.Offset;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** View-model logic without the FX thread: everything runs inline through the synchronous executor. */
class ViewModelTest {
    @TempDir
    Path dir;

    private final SynchronousTaskExecutor sync = new SynchronousTaskExecutor();
    private final List<String> errors = new ArrayList<>();
    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/vmtest-" + System.nanoTime());

    @AfterEach
    void cleanPrefs() throws Exception {
        prefs.removeNode();
    }

    private WorkbenchViewModel workbench(WorkbenchServices s) {
        return new WorkbenchViewModel(s, sync, (t, m) -> errors.add(t + ": " + m), new RecentModels(prefs));
    }

    @Test
    void openingABadFileReportsTheFileAndKeepsState() throws Exception {
        var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
        Path bad = dir.resolve("broken.bin");
        Files.write(bad, new byte[] {9, 9, 9});
        vm.model().open(bad);
        assertThat(errors)
                .singleElement()
                .asString()
                .startsWith("Cannot open model")
                .contains("broken.bin");
        assertThat(vm.session().baseModel()).isNull();
        assertThat(vm.model().recent()).isEmpty();
        assertThat(vm.model().busyProperty().get()).isFalse();
    }

    @Test
    void openingAModelShowsItsCardAndRemembersIt() {
        var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
        vm.model().open(TestData.stories260K());
        assertThat(errors).isEmpty();
        assertThat(vm.session().models()).hasSize(1);
        assertThat(vm.model().card())
                .extracting(r -> r.property() + "=" + r.value())
                .contains("Parameters=260,032", "Vocabulary=512", "Format=llama2c");
        assertThat(new RecentModels(prefs).list())
                .containsExactly(TestData.stories260K().toAbsolutePath().normalize());
    }

    @Test
    void compressSettingsValidateAndEstimateLive() {
        var comp = new FakeServices.FakeCompression();
        var vm = workbench(FakeServices.with(dir, comp, new FakeServices.FakeEvaluation()));
        var c = vm.compress();
        assertThat(c.methodProperty().get().name()).isEqualTo("rtn");
        assertThat(c.estimateProperty().get()).isEqualTo("Open a model to see the resulting size");
        vm.model().open(TestData.stories260K());
        // Preset "4-bit, group 128" is applied by default and estimated at once.
        assertThat(c.field("bits").valueProperty().get()).isEqualTo("4");
        assertThat(c.estimateProperty().get()).startsWith("4.000 bits/weight").contains("from 1.0 MB");
        c.presetProperty().set(c.presets().get(1));
        assertThat(c.estimateProperty().get()).startsWith("3.000 bits/weight");
        // Typing a custom value leaves the preset and re-estimates.
        c.field("bits").valueProperty().set("5");
        assertThat(c.presetProperty().get()).isNull();
        assertThat(c.estimateProperty().get()).startsWith("5.000 bits/weight");
        assertThat(c.canCompress().get()).isTrue();
        // Invalid input: a message naming the knob, no estimate, no compress.
        c.field("group").valueProperty().set("abc");
        assertThat(c.validationProperty().get()).isEqualTo("Group size must be a whole number, not 'abc'");
        assertThat(c.estimateValueProperty().get()).isNull();
        assertThat(c.canCompress().get()).isFalse();
        c.field("group").valueProperty().set("4");
        assertThat(c.validationProperty().get()).isEqualTo("Group size must be between 8 and 8192");
        // An unavailable method says so instead of estimating.
        c.methodProperty().set(c.methods().get(1));
        assertThat(c.estimateProperty().get()).isEqualTo("Size estimate not available");
        assertThat(c.availabilityProperty().get()).isEqualTo("CALDERA is missing");
        assertThat(c.canCompress().get()).isFalse();
    }

    @Test
    void seedLmEstimateComesFromTheMethodItself() {
        var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
        var c = vm.compress();
        c.methodProperty()
                .set(c.methods().stream()
                        .filter(m -> m.name().equals("seedlm"))
                        .findFirst()
                        .orElseThrow());
        vm.model().open(TestData.stories260K());
        var est = c.estimateValueProperty().get();
        // (K + 4 + 4P) / C = (16 + 4 + 12) / 8 = 4, plus the padding of partial blocks that the method counts.
        assertThat(est.bitsPerCompressedWeight()).isBetween(4.0, 4.1);
        assertThat(c.estimateProperty().get())
                .startsWith(String.format(Locale.ROOT, "%.3f bits/weight", est.bitsPerCompressedWeight()));
        c.presetProperty().set(c.presets().get(1));
        double threeBit = c.estimateValueProperty().get().bitsPerCompressedWeight();
        assertThat(threeBit).isBetween(3.0, 3.5); // C=12 pads more on 64- and 172-wide rows
        c.field("K").valueProperty().set("12");
        assertThat(c.estimateValueProperty().get().bitsPerCompressedWeight())
                .isCloseTo(threeBit * 32 / 36, Offset.offset(0.01));
        c.field("K").valueProperty().set("30");
        assertThat(c.validationProperty().get()).isEqualTo("Seed bits K must be between 2 and 20");
    }

    @Test
    void theTaskListOffersRteLambadaAndC4FromTheRegistry() {
        var vm = workbench(FakeServices.with(
                dir, new FakeServices.FakeCompression(), new EngineEvaluationService(null, Path.of("datasets"))));
        var e = vm.evaluate();
        assertThat(e.tasks())
                .extracting(t -> t.info().name())
                .contains("rte", "lambada_openai", "c4")
                .doesNotContain("text_ppl");
        assertThat(e.task("rte").info().displayName()).isEqualTo("RTE (GLUE)");
        assertThat(e.task("lambada_openai").info().displayName()).isEqualTo("LAMBADA (OpenAI)");
        assertThat(e.task("c4").info().available()).isTrue();
    }

    @Test
    void evaluationQueuesJobsAndResultsReachResultsAndCharts() {
        var eval = new FakeServices.FakeEvaluation();
        var vm = workbench(FakeServices.with(dir, new FakeServices.FakeCompression(), eval));
        var e = vm.evaluate();
        assertThat(e.problem()).startsWith("Select at least one model");
        vm.session().setBaseModel(FakeServices.handle(ModelLoader.load(TestData.stories260K())));
        assertThat(e.problem()).isEqualTo("Select at least one task.");
        e.task("boolq").selectedProperty().set(true);
        assertThat(e.problem()).isEqualTo("BoolQ: BoolQ is missing");
        e.task("boolq").selectedProperty().set(false);
        e.task("piqa").selectedProperty().set(true);
        e.limitProperty().set(250);
        assertThat(e.problem()).isNull();
        var jobs = e.run();
        assertThat(jobs).singleElement().extracting(j -> j.state()).isEqualTo(JobState.DONE);
        assertThat(eval.requests).singleElement().satisfies(r -> {
            assertThat(r.limit())
                    .as("the first 250 items, as lm-eval's --limit")
                    .isEqualTo(250);
            assertThat(r.sample()).isZero();
            assertThat(r.tasks()).containsExactly("piqa");
            assertThat(r.base()).isNull(); // the base model itself gets no fidelity partner
        });
        assertThat(vm.results().runs())
                .singleElement()
                .satisfies(r -> assertThat(r.metric("acc")).isEqualTo(0.25));
        assertThat(vm.charts().taskProperty().get()).isEqualTo("piqa");
        assertThat(vm.charts().metricProperty().get()).isEqualTo("acc");
        assertThat(vm.charts().statusProperty().get()).isEqualTo("1 points");
        assertThat(vm.charts().chartProperty().get().getTitle().getText()).isEqualTo("piqa: acc vs bits per weight");
        // a seeded random sample instead of the first items
        e.randomSampleProperty().set(true);
        e.seedProperty().set(7);
        e.run();
        assertThat(eval.requests).last().satisfies(r -> {
            assertThat(r.limit()).isZero();
            assertThat(r.sample()).isEqualTo(250);
            assertThat(r.seed()).isEqualTo(7);
        });
    }

    @Test
    void jobsReportProgressFailuresCancellationAndResume() {
        var clock = new AtomicLong();
        var jobs = new JobsViewModel(sync, clock::get);
        var ok = jobs.submit(
                "t",
                "ok",
                (p, c) -> {
                    p.update("items", 0, 100, "");
                    clock.addAndGet(2_000_000_000L);
                    p.update("items", 50, 100, "");
                    p.log("half way");
                    return 7;
                },
                v -> assertThat(v).isEqualTo(7),
                t -> {});
        assertThat(ok.state()).isEqualTo(JobState.DONE);
        assertThat(ok.throughputProperty().get()).isEqualTo("25/s");
        assertThat(ok.etaProperty().get()).isEmpty(); // cleared when done
        assertThat(ok.log()).containsExactly("started", "half way", "done");

        // a new stage starts without the last stage's rate and ETA (its "0 s" would read as "almost done")
        var staged = new ArrayList<String>();
        var twoStages = jobs.submit(
                "t",
                "two stages",
                (p, c) -> {
                    p.update("calibration", 0, 10, "");
                    clock.addAndGet(1_000_000_000L);
                    p.update("calibration", 10, 10, "");
                    staged.add(jobs.jobs().getLast().etaProperty().get());
                    p.update("quantise", 0, 40, "");
                    staged.add(jobs.jobs().getLast().etaProperty().get());
                    staged.add(jobs.jobs().getLast().throughputProperty().get());
                    return 1;
                },
                v -> {},
                t -> {});
        assertThat(twoStages.state()).isEqualTo(JobState.DONE);
        assertThat(staged).containsExactly("0 s", "", "");

        var failures = new ArrayList<Throwable>();
        var bad = jobs.submit(
                "t",
                "bad",
                (p, c) -> {
                    throw new IllegalArgumentException("piqa.jsonl line 3: bad JSON");
                },
                v -> {},
                failures::add);
        assertThat(bad.state()).isEqualTo(JobState.FAILED);
        assertThat(bad.errorProperty().get()).isEqualTo("piqa.jsonl line 3: bad JSON");
        assertThat(failures).hasSize(1);

        // A job cancelled mid-way keeps what it did; resume re-runs and finishes the rest.
        var done = new AtomicInteger();
        var tokens = new ArrayList<CancellationToken>();
        var job = jobs.submit(
                "t",
                "long",
                (p, c) -> {
                    tokens.add(c);
                    for (int i = done.get(); i < 10; i++) {
                        if (i == 4 && tokens.size() == 1) c.cancel();
                        c.throwIfCancelled();
                        done.incrementAndGet();
                    }
                    return done.get();
                },
                v -> {},
                t -> {});
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(done.get()).isEqualTo(4);
        job.resume();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(done.get()).isEqualTo(10);
        assertThat(jobs.activeCount().get()).isZero();
        jobs.clearFinished();
        assertThat(jobs.jobs()).isEmpty();
    }

    @Test
    void demoWorkspaceGeneratesTheSyntheticDemoModelOffline() {
        var vm = workbench(WorkbenchServices.create(dir, dir.resolve("results.db")));
        vm.startDemo();
        assertThat(errors).isEmpty();
        assertThat(vm.demoProperty().get()).isTrue();
        assertThat(vm.jobs().jobs()).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo(JobState.DONE);
            assertThat(j.titleProperty().get()).contains("SYNTHETIC").contains("demo");
        });
        var m = vm.session().baseModel();
        assertThat(m.card().synthetic()).as("label " + m.card().label()).isTrue();
        assertThat(vm.model().headingProperty().get()).contains("[SYNTHETIC]");
        assertThat(m.card().hasTokenizer()).isTrue();
        assertThat(m.card().layers()).isEqualTo(4);
        // the generated model stays in the workspace: it is listed for reopening
        assertThat(vm.model().recent()).containsExactly(dir.resolve("synthetic").resolve("demo-1"));
    }

    @Test
    void chartExportWritesTheFormatOfTheExtension() throws Exception {
        var vm = workbench(
                FakeServices.with(dir, new FakeServices.FakeCompression(), new FakeServices.FakeEvaluation()));
        vm.services().results().record(ReportFixturesAccess.rows(), List.of());
        vm.results().refresh();
        vm.charts().export(dir.resolve("c.svg"));
        ChartFiles.assertValidSvg(dir.resolve("c.svg"));
        vm.charts().kindProperty().set(ChartsViewModel.Kind.METRIC_VS_SIZE);
        vm.charts().export(dir.resolve("c.png"));
        ChartFiles.assertValidPng(dir.resolve("c.png"), 960);
        assertThatThrownBy(() -> vm.charts().export(dir.resolve("c.gif"))).hasMessageContaining("unknown chart format");
    }

    /** Two model families in the store: the chart shows one at a time (the newest first), never mixed by default. */
    @Test
    void chartsShowOneModelFamilyAtATime() throws Exception {
        var vm = workbench(
                FakeServices.with(dir, new FakeServices.FakeCompression(), new FakeServices.FakeEvaluation()));
        var rows = new ArrayList<>(ReportFixturesAccess.rows()); // stories260K
        rows.add(new RunRow(
                "7",
                "SmolLM2-135M",
                "base",
                Map.of(),
                16.0,
                270_000_000,
                "piqa",
                Map.of("acc", 0.68, "acc_stderr", 0.011),
                "2026-11-24T09:00:00Z",
                RunRow.Measured.UNKNOWN));
        rows.add(new RunRow(
                "8",
                "SmolLM2-135M",
                "seedlm",
                Map.of("C", "8", "P", "3", "K", "16"),
                4.0,
                80_000_000,
                "piqa",
                Map.of("acc", 0.64, "acc_stderr", 0.011),
                "2026-11-24T10:00:00Z",
                RunRow.Measured.UNKNOWN));
        vm.services().results().record(rows, List.of());
        vm.results().refresh();
        var c = vm.charts();
        assertThat(c.models()).containsExactly(ChartsViewModel.ALL_MODELS, "SmolLM2-135M", "stories260K");
        assertThat(c.modelProperty().get()).isEqualTo("SmolLM2-135M");
        assertThat(c.tasks()).containsExactly("piqa");
        assertThat(referenceLines(c)).containsExactly(0.68);
        assertThat(c.statusProperty().get()).startsWith("2 points");
        assertThat(c.chartProperty().get().getSubtitles())
                .anySatisfy(t -> assertThat(t)
                        .isInstanceOfSatisfying(
                                TextTitle.class, x -> assertThat(x.getText()).isEqualTo("model: SmolLM2-135M")));

        c.modelProperty().set("stories260K");
        assertThat(c.tasks()).containsExactly("piqa", "tinystories");
        assertThat(referenceLines(c)).containsExactly(0.52);
        assertThat(c.statusProperty().get()).startsWith("4 points");

        c.modelProperty().set(ChartsViewModel.ALL_MODELS);
        assertThat(referenceLines(c)).containsExactlyInAnyOrder(0.52, 0.68);
        // a refresh keeps the user's choice
        vm.results().refresh();
        assertThat(c.modelProperty().get()).isEqualTo(ChartsViewModel.ALL_MODELS);
    }

    /** Values of the uncompressed-model reference lines on the current chart. */
    private static List<Double> referenceLines(ChartsViewModel c) {
        var plot = (XYPlot) c.chartProperty().get().getPlot();
        var markers = plot.getRangeMarkers(Layer.FOREGROUND);
        if (markers == null) return List.of();
        return markers.stream().map(m -> ((ValueMarker) m).getValue()).toList();
    }

    @Test
    void paperPointsAreValidatedPersistedAndAKeptBadFileIsReported() throws Exception {
        var services = FakeServices.with(dir, new FakeServices.FakeCompression(), new FakeServices.FakeEvaluation());
        var vm = workbench(services);
        var c = vm.charts();
        assertThat(c.addPaperPoint("", "SeedLM", "4", "0.7")).startsWith("choose a task and metric first");
        services.results().record(ReportFixturesAccess.rows(), List.of());
        vm.results().refresh();
        String task = c.taskProperty().get(), metric = c.metricProperty().get();
        assertThat(c.addPaperPoint("", "", "4", "0.7")).isEqualTo("a paper point needs a method");
        assertThat(c.addPaperPoint("", "SeedLM", "four", "0.7")).isEqualTo("bits and value must be numbers");
        assertThat(c.addPaperPoint("", "SeedLM", "-1", "0.7")).isEqualTo("bits/weight must be a positive number");
        assertThat(c.addPaperPoint(" ", " CALDERA ", "2.4", "0.71")).isNull();
        assertThat(c.paperPoints()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo("paper");
            assertThat(p.method()).isEqualTo("CALDERA");
            assertThat(p.task()).isEqualTo(task);
            assertThat(p.metric()).isEqualTo(metric);
        });
        Path file = dir.resolve(ReferencePoints.FILE_NAME);
        assertThat(c.paperStatusProperty().get()).isEqualTo("1 points, saved in " + file);
        var plot = (XYPlot) c.chartProperty().get().getPlot();
        assertThat(plot.getDataset(2).getSeriesKey(0)).isEqualTo("paper: CALDERA");
        var legend = new ArrayList<String>();
        for (int i = 0; i < plot.getLegendItems().getItemCount(); i++)
            legend.add(plot.getLegendItems().get(i).getLabel());
        assertThat(legend).contains("paper: CALDERA");

        // The next session over the same workspace has it; removing it is saved too.
        var next = workbench(services).charts();
        assertThat(next.paperPoints()).containsExactlyElementsOf(c.paperPoints());
        next.paperPoints().clear();
        assertThat(ReferencePoints.read(file)).isEmpty();

        // A file that is not a list of points is left alone and reported, not overwritten.
        Files.writeString(file, "{\"oops\": 1}");
        var broken = workbench(services).charts();
        assertThat(broken.paperPoints()).isEmpty();
        assertThat(broken.paperStatusProperty().get())
                .startsWith("Not loaded: " + file + ": not a list of paper points");
        assertThat(Files.readString(file)).isEqualTo("{\"oops\": 1}");
    }

    @Test
    void resultsViewResumesAndDeletesRunsThatDidNotFinish() {
        Path db = dir.resolve("results.db");
        long interrupted, failed;
        try (var store = ResultsStore.open(db)) {
            var spec = new RunSpec(
                    TestData.stories260K().toString(),
                    "stories",
                    "h",
                    "none",
                    Map.of(),
                    List.of("piqa"),
                    RunSpec.Options.defaults().withLimit(4));
            interrupted = store.saveRun(spec, "piqa", "1", null, null);
            store.updateStatus(interrupted, RunStatus.INTERRUPTED, "interrupted: killed");
            failed = store.saveRun(spec, "piqa", "2", null, null);
            store.updateStatus(failed, RunStatus.FAILED, "boom");
        }
        var results = workbench(WorkbenchServices.create(dir, db)).results();
        results.refresh();
        assertThat(results.runs()).isEmpty();
        assertThat(results.unfinished())
                .extracting(r -> r.runId() + " " + r.status())
                .containsExactlyInAnyOrder(interrupted + " interrupted", failed + " failed");
        results.resume(results.unfinished().stream()
                .filter(r -> r.runId().equals(Long.toString(interrupted)))
                .findFirst()
                .orElseThrow());
        assertThat(errors).isEmpty();
        assertThat(results.runs()).singleElement().satisfies(r -> {
            assertThat(r.runId()).isEqualTo(Long.toString(interrupted));
            assertThat(r.metric("acc")).isNotNull();
        });
        assertThat(results.unfinished()).extracting(r -> r.runId()).containsExactly(Long.toString(failed));
        results.delete(results.unfinished().getFirst());
        assertThat(results.unfinished()).isEmpty();
        assertThat(results.statusProperty().get()).contains("1 result rows");
    }

    @Test
    void outOfMemoryAndAFullDiskInABackgroundTaskAreOneSentenceAndTheTraceIsLogged() throws Exception {
        var failing = new ResultsService() {
            @Override
            public String description() {
                return "fake";
            }

            @Override
            public List<RunRow> runs() {
                return List.of();
            }

            @Override
            public List<ItemDetail> items(String runId) {
                return List.of();
            }

            @Override
            public List<LayerError> layerErrors(List<RunRow> runs) {
                return List.of();
            }

            @Override
            public void record(List<RunRow> rows, List<LayerError> layerErrors) {}

            @Override
            public void resume(String runId, ProgressListener progress, CancellationToken cancel) {
                throw new OutOfMemoryError("Java heap space");
            }

            @Override
            public void delete(String runId) {
                throw new UncheckedIOException(
                        new FileSystemException(dir.resolve("results.db").toString(), null, "No space left on device"));
            }
        };
        var results = workbench(WorkbenchServices.create(dir, null).withResults(failing))
                .results();
        var run = new ResultsService.UnfinishedRun("7", "m", "none", "piqa", "interrupted", "");
        Logs.configure(dir.resolve("logs"), "off");
        try {
            results.resume(run);
            results.delete(run);
        } finally {
            Logs.reset();
        }
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0))
                .startsWith("Cannot resume run 7: Out of memory")
                .contains("WORKBENCH_JAVA_OPTS=-Xmx")
                .doesNotContain("\n")
                .doesNotContain("java.lang");
        assertThat(errors.get(1))
                .startsWith("Cannot delete run 7: No space left on the disk writing " + dir.resolve("results.db"))
                .contains("free space");
        assertThat(Files.readString(dir.resolve("logs/workbench.log")))
                .contains("java.lang.OutOfMemoryError: Java heap space")
                .contains("\tat ")
                .contains("No space left on device");
    }
}
