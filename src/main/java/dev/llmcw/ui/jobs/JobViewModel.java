package dev.llmcw.ui.jobs;

import dev.llmcw.cluster.ShardState;
import dev.llmcw.cluster.ShardStatus;
import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.task.BackgroundTask;
import dev.llmcw.util.PartsProgress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * One queued or running job: progress, stage, ETA and throughput computed from the worker's progress
 * reports, the log, and cancel / resume. Resume re-runs the same work; compression resumes per tensor
 * from its work folder and evaluation per item from the item store, so finished parts are not redone.
 */
public final class JobViewModel {
    static final int MAX_LOG_LINES = 2000;

    private final int id;
    private final String kind;
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper();
    private final ObjectProperty<JobState> state = new SimpleObjectProperty<>(JobState.QUEUED);
    private final DoubleProperty progress = new SimpleDoubleProperty(-1);
    private final StringProperty stage = new SimpleStringProperty("");
    private final StringProperty eta = new SimpleStringProperty("");
    private final StringProperty throughput = new SimpleStringProperty("");
    private final StringProperty error = new SimpleStringProperty("");
    private final ObservableList<String> log = FXCollections.observableArrayList();
    private final ObservableList<ShardStatus> shards = FXCollections.observableArrayList();
    /** The Slurm run's shards (null: a job that runs here). */
    private ShardWatch watch;

    private final LongSupplier nanoTime;
    private final Runnable resubmit;
    private BackgroundTask<?> task;
    private long stageStart;
    private String currentStage = "";
    /** The stage's last done count, and the units worked in this run since the stage started (resumed ones left out). */
    private long lastDone, worked;

    JobViewModel(int id, String kind, String title, LongSupplier nanoTime, Runnable resubmit) {
        this.id = id;
        this.kind = kind;
        this.title.set(title);
        this.nanoTime = nanoTime;
        this.resubmit = resubmit;
    }

    void attach(BackgroundTask<?> t) {
        this.task = t;
        state.set(JobState.QUEUED);
        progress.set(-1);
        error.set("");
        eta.set("");
        throughput.set("");
        stage.set("queued");
    }

    void running() {
        state.set(JobState.RUNNING);
        stage.set("starting");
        stageStart = nanoTime.getAsLong();
        currentStage = "";
        appendLog("started");
    }

    void progress(BackgroundTask.Progress p) {
        if (p.isLogLine()) {
            appendLog(p.stage());
            return;
        }
        long now = nanoTime.getAsLong();
        if (!p.stage().equals(currentStage)) {
            currentStage = p.stage();
            stageStart = now;
            lastDone = Math.max(0, p.done());
            worked = 0;
            // rate and ETA belong to the stage that ended (a finished stage's "0 s" must not stay on show)
            throughput.set("");
            eta.set("");
        }
        stage.set(p.message().isBlank() ? p.stage() : p.stage() + " · " + p.message());
        progress.set(p.fraction());
        // the rate counts units worked in this run: a jump reported as resumed (PartsProgress) is done, not work
        if (p.done() > lastDone) {
            if (!p.message().contains(PartsProgress.RESUMED)) worked += p.done() - lastDone;
            lastDone = p.done();
        }
        double secs = (now - stageStart) / 1e9;
        if (secs > 0.2 && worked > 0) {
            double rate = worked / secs;
            throughput.set(String.format(Locale.ROOT, rate >= 10 ? "%.0f/s" : "%.2f/s", rate));
            if (p.total() > 0)
                eta.set(formatDuration(Duration.ofMillis((long) ((p.total() - p.done()) / rate * 1000))));
        }
    }

    void succeeded() {
        state.set(JobState.DONE);
        progress.set(1);
        stage.set("done");
        eta.set("");
        appendLog("done");
    }

    void failed(Throwable t) {
        state.set(JobState.FAILED);
        String m = ErrorReporter.describe(t);
        error.set(m);
        stage.set("failed: " + m);
        appendLog("failed: " + m);
    }

    void cancelled() {
        state.set(JobState.CANCELLED);
        stage.set("cancelled (finished parts are kept; Resume continues)");
        eta.set("");
        appendLog("cancelled");
    }

    private void appendLog(String line) {
        log.add(line);
        if (log.size() > MAX_LOG_LINES) log.remove(0, log.size() - MAX_LOG_LINES);
    }

    static String formatDuration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) return s + " s";
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /** Follows a Slurm run's shards: the watch's snapshots replace {@link #shards()} (called on the UI thread). */
    void watch(ShardWatch w) {
        this.watch = w;
    }

    void shardsChanged(List<ShardStatus> snapshot) {
        shards.setAll(snapshot);
    }

    /** Whether this job runs on Slurm and so has shards to show (possibly none yet). */
    public boolean sharded() {
        return watch != null;
    }

    /** The shards (array tasks) of a Slurm suite job, as its executor last saw them; empty for other jobs. */
    public ObservableList<ShardStatus> shards() {
        return shards;
    }

    /**
     * Asks the running executor to submit a failed shard again, alone; false (nothing asked) when the shard is
     * not failed or the job is not running. A job that has ended resubmits its failed shards with Resume.
     */
    public boolean resubmit(ShardStatus shard) {
        if (watch == null || shard.state() != ShardState.FAILED || state.get() != JobState.RUNNING) return false;
        appendLog("resubmit requested: " + shard.unit() + " " + shard.items() + " (" + shard.slurmTask() + ")");
        watch.resubmit(shard.unitId());
        return true;
    }

    public void cancel() {
        if (task != null && !state.get().finished()) {
            appendLog("cancel requested");
            task.cancel();
        }
    }

    public void resume() {
        if (state.get() == JobState.CANCELLED || state.get() == JobState.FAILED) {
            appendLog("resuming");
            resubmit.run();
        }
    }

    public int id() {
        return id;
    }

    public String kind() {
        return kind;
    }

    public javafx.beans.property.ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public ObjectProperty<JobState> stateProperty() {
        return state;
    }

    public JobState state() {
        return state.get();
    }

    public DoubleProperty progressProperty() {
        return progress;
    }

    public StringProperty stageProperty() {
        return stage;
    }

    public StringProperty etaProperty() {
        return eta;
    }

    public StringProperty throughputProperty() {
        return throughput;
    }

    public StringProperty errorProperty() {
        return error;
    }

    public ObservableList<String> log() {
        return log;
    }
}
