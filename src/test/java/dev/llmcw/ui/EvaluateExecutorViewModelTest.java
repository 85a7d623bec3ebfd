package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.app.EvaluationService;
import dev.llmcw.app.RecentModels;
import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.report.RunRow;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Evaluate view's executor choice (no daemons): it is the Suites view's setting, Local calls the plain
 * evaluation, Slurm with its options reaches the service with a shard watch for the Jobs view, and a Slurm the
 * service cannot reach is reported in one sentence without a job.
 */
class EvaluateExecutorViewModelTest {
    @TempDir
    Path dir;

    private final List<String> errors = new ArrayList<>();
    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/evalexec-" + System.nanoTime());

    @AfterEach
    void cleanPrefs() throws Exception {
        prefs.removeNode();
    }

    /** The fake evaluation, recording the executor each call got (null: the plain local call). */
    private static final class RecordingEvaluation implements EvaluationService {
        final FakeServices.FakeEvaluation fake = new FakeServices.FakeEvaluation();
        final List<SuiteSpec.Executor> executors = new ArrayList<>();
        final List<ShardWatch> watches = new ArrayList<>();
        boolean slurmReachable = true;

        @Override
        public List<TaskInfo> tasks() {
            return fake.tasks();
        }

        @Override
        public List<RunRow> evaluate(Request r, ProgressListener p, CancellationToken c) {
            executors.add(null);
            return fake.evaluate(r, p, c);
        }

        @Override
        public List<RunRow> evaluate(
                Request r, SuiteSpec.Executor executor, ShardWatch shards, ProgressListener p, CancellationToken c) {
            executors.add(executor);
            watches.add(shards);
            return fake.evaluate(r, p, c);
        }

        @Override
        public String executorProblem(SuiteSpec.Executor executor) {
            return executor.isSlurm() && !slurmReachable ? "No Slurm here." : null;
        }
    }

    @Test
    void theChoiceAndItsOptionsReachTheEvaluationService() {
        var eval = new RecordingEvaluation();
        var vm = new WorkbenchViewModel(
                FakeServices.with(dir, new FakeServices.FakeCompression(), eval),
                new SynchronousTaskExecutor(),
                (t, m) -> errors.add(t + ": " + m),
                new RecentModels(prefs));
        var e = vm.evaluate();
        assertThat(e.executor())
                .as("one setting for Suites and Evaluate")
                .isSameAs(vm.suites().executor());
        vm.session().setBaseModel(FakeServices.handle(ModelLoader.load(TestData.stories260K())));
        e.task("piqa").selectedProperty().set(true);
        e.limitProperty().set(40);

        assertThat(e.run())
                .singleElement()
                .satisfies(j -> assertThat(j.sharded()).isFalse());
        assertThat(eval.executors).containsExactly((SuiteSpec.Executor) null);

        e.executor().slurmProperty().set(true);
        e.executor().partitionProperty().set("debug");
        e.executor().shardItemsProperty().set("20");
        var jobs = e.run();
        assertThat(jobs).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo(JobState.DONE);
            assertThat(j.sharded()).isTrue();
            assertThat(j.titleProperty().get()).endsWith(", Slurm");
        });
        assertThat(eval.executors.getLast()).satisfies(x -> {
            assertThat(x.isSlurm()).isTrue();
            assertThat(x.partition()).isEqualTo("debug");
            assertThat(x.shardItemsOrDefault()).isEqualTo(20);
        });
        assertThat(eval.watches.getLast()).isNotNull();
        assertThat(vm.suites().executor().read().isSlurm()).isTrue();

        // a bad option or an unreachable Slurm: one sentence, no job
        e.executor().retriesProperty().set("two");
        assertThat(e.run()).isEmpty();
        assertThat(errors)
                .last()
                .isEqualTo("Executor setting is not valid: Retries must be a whole number, not \"two\"");
        e.executor().retriesProperty().set("");
        eval.slurmReachable = false;
        assertThat(e.run()).isEmpty();
        assertThat(errors).last().isEqualTo("Slurm is not available: No Slurm here.");
        assertThat(eval.executors).hasSize(2);
    }
}
