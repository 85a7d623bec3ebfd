package dev.llmcw.ui.jobs;

import dev.llmcw.cluster.ShardStatus;
import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.ui.task.BackgroundTask;
import dev.llmcw.ui.task.TaskExecutor;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.IntegerBinding;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The run queue. Owned by the main window, not by a view, so jobs survive switching views. Jobs run
 * one at a time (serial tasks) because compression and evaluation each use every core already.
 */
public final class JobsViewModel {
    private final TaskExecutor executor;
    private final LongSupplier nanoTime;
    private final ObservableList<JobViewModel> jobs =
            FXCollections.observableArrayList(j -> new javafx.beans.Observable[] {j.stateProperty()});
    private int nextId = 1;

    public JobsViewModel(TaskExecutor executor) {
        this(executor, System::nanoTime);
    }

    public JobsViewModel(TaskExecutor executor, LongSupplier nanoTime) {
        this.executor = executor;
        this.nanoTime = nanoTime;
    }

    /**
     * Queues work; {@code onSuccess} and {@code onFailure} run on the UI thread when it ends (again
     * after a resume).
     */
    public <T> JobViewModel submit(
            String kind,
            String title,
            BackgroundTask.Work<T> work,
            Consumer<T> onSuccess,
            Consumer<Throwable> onFailure) {
        return submit(kind, title, null, work, onSuccess, onFailure);
    }

    /**
     * Like {@link #submit(String, String, BackgroundTask.Work, Consumer, Consumer)} for work that runs on Slurm:
     * the job shows the shards {@code shards} publishes (moved to the UI thread, the newest snapshot only, so
     * the executor's thread never waits on the UI) and can ask it to resubmit a failed one.
     */
    public <T> JobViewModel submit(
            String kind,
            String title,
            ShardWatch shards,
            BackgroundTask.Work<T> work,
            Consumer<T> onSuccess,
            Consumer<Throwable> onFailure) {
        var holder = new JobViewModel[1];
        Runnable start = () -> start(holder[0], work, onSuccess, onFailure);
        holder[0] = new JobViewModel(nextId++, kind, title, nanoTime, start);
        if (shards != null) follow(holder[0], shards);
        jobs.add(holder[0]);
        start.run();
        return holder[0];
    }

    private void follow(JobViewModel job, ShardWatch shards) {
        job.watch(shards);
        var latest = new AtomicReference<List<ShardStatus>>();
        shards.addListener(snapshot -> {
            // a pending hand-over takes the newer snapshot along; only the first schedules one
            if (latest.getAndSet(snapshot) == null) executor.runOnUi(() -> job.shardsChanged(latest.getAndSet(null)));
        });
    }

    private <T> void start(
            JobViewModel job, BackgroundTask.Work<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        var task = BackgroundTask.of(work)
                .serial()
                .onRunning(job::running)
                .onProgress(job::progress)
                .onSuccess(v -> {
                    job.succeeded();
                    onSuccess.accept(v);
                })
                .onFailure(t -> {
                    job.failed(t);
                    onFailure.accept(t);
                })
                .onCancelled(job::cancelled);
        job.attach(task);
        executor.execute(task);
    }

    public ObservableList<JobViewModel> jobs() {
        return jobs;
    }

    /** Jobs queued or running, for the status bar. */
    public IntegerBinding activeCount() {
        return Bindings.createIntegerBinding(
                () -> (int) jobs.stream().filter(j -> !j.state().finished()).count(), jobs);
    }

    public void clearFinished() {
        jobs.removeIf(j -> j.state().finished());
    }
}
