package dev.llmcw.cluster;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Submits the job arrays of a plan and follows them to the end. A unit is done when its output file exists;
 * a unit that left the queue without one (failed, cancelled, timed out, pre-empted, node lost) is resubmitted
 * alone ({@code --array=<its index>} of the same script), up to {@code retries} times, and then given up (the
 * merge reports it). An array waits for what it needs ({@code --dependency=afterok}: evaluations for their
 * compression; a sharded compression's parts for its calibration, its assembly for its parts); when a unit is
 * resubmitted, the units waiting for it are cancelled and submitted again after the new job, transitively.
 * Cancelling the token cancels every job still queued ({@code scancel}).
 */
final class JobTracker {
    /** Where one unit stands: its script, its index in the script's array, its current Slurm task. */
    private static final class Track {
        final WorkUnit unit;
        final Path script;
        final int index;
        /** The units whose jobs this one waits for (afterok). */
        final List<String> afterUnits;

        String jobId;
        int attempts = 1;
        boolean givenUp;
        /** Submitted after the queue was last asked: its absence from that answer says nothing. */
        boolean fresh = true;
        /** What the queue last said of the current task (null: not seen yet). */
        String queueState;

        Track(WorkUnit unit, Path script, int index, List<String> afterUnits) {
            this.unit = unit;
            this.script = script;
            this.index = index;
            this.afterUnits = List.copyOf(afterUnits);
        }

        String taskId() {
            return jobId + "_" + index;
        }
    }

    private static final Set<String> ACTIVE = Set.of(
            "PENDING",
            "RUNNING",
            "CONFIGURING",
            "COMPLETING",
            "SUSPENDED",
            "REQUEUED",
            "REQUEUE_HOLD",
            "REQUEUE_FED",
            "RESIZING",
            "SIGNALING",
            "STAGE_OUT",
            "STOPPED");

    private final Slurm slurm;
    private final int retries;
    private final long pollMillis;
    private final ProgressListener progress;
    private final CancellationToken cancel;
    private final Map<String, Track> tracks = new LinkedHashMap<>();
    private int resubmitted;
    private ShardWatch watch = new ShardWatch();

    JobTracker(Slurm slurm, int retries, long pollMillis, ProgressListener progress, CancellationToken cancel) {
        this.slurm = slurm;
        this.retries = retries;
        this.pollMillis = pollMillis;
        this.progress = progress;
        this.cancel = cancel;
    }

    /** Where the shards' states go, and resubmission requests come from (default: a watch nobody reads). */
    JobTracker watch(ShardWatch w) {
        this.watch = w;
        return this;
    }

    /** Submits one array (its units in order) after the job of {@code afterUnit} when that is not done yet. */
    void submit(Path script, List<WorkUnit> units, String afterUnit) throws IOException {
        submitAfter(script, units, afterUnit == null ? List.of() : List.of(afterUnit));
    }

    /** Submits one array (its units in order) after the jobs of those {@code afterUnits} not done yet. */
    void submitAfter(Path script, List<WorkUnit> units, List<String> afterUnits) throws IOException {
        String after = pendingJobs(afterUnits);
        String jobId = slurm.submit(script, units.size() == 1 ? "0" : "0-" + (units.size() - 1), after);
        for (int i = 0; i < units.size(); i++) {
            Track t = new Track(units.get(i), script, i, afterUnits);
            t.jobId = jobId;
            tracks.put(t.unit.id(), t);
        }
        publish();
        progress.log("submitted job " + jobId + " (" + units.size() + " task(s)"
                + (after == null ? "" : ", after job " + after) + "): "
                + units.getFirst().describe() + (units.size() > 1 ? " …" : ""));
    }

    /** Resubmissions so far (retries of failed or cancelled tasks). */
    int resubmitted() {
        return resubmitted;
    }

    /** Units given up after their retries. */
    List<WorkUnit> givenUp() {
        return tracks.values().stream().filter(t -> t.givenUp).map(t -> t.unit).toList();
    }

    /** Polls until every unit is done or given up. */
    void await() throws IOException, InterruptedException {
        int total = tracks.size();
        while (true) {
            if (cancel.isCancelled()) {
                cancelAll();
                throw new CancellationToken.CancelledException();
            }
            resubmitRequested();
            List<Track> open = tracks.values().stream()
                    .filter(t -> !t.givenUp && !t.unit.done())
                    .toList();
            publish();
            progress.update("slurm", total - open.size(), total, open.size() + " unit(s) queued or running");
            if (open.isEmpty()) return;
            // the queue first, then the files: a task that ends between the two calls is seen with its output
            for (Track t : open) t.fresh = false;
            Map<String, String> queued = slurm.queued(jobIds(open));
            if (queued != null) {
                for (Track t : open) t.queueState = queued.get(t.taskId());
                // in submission order, which puts every unit after those it waits for: a resubmission
                // resubmits the units waiting for it before they are looked at
                for (Track t : open) check(t, queued);
            }
            publish();
            Thread.sleep(pollMillis);
        }
    }

    /**
     * The resubmissions asked for through the watch: a given-up unit is submitted alone once more (one more
     * attempt), a compression with the evaluations that were given up with it.
     */
    private void resubmitRequested() throws IOException {
        for (String id : watch.takeResubmits()) {
            Track t = tracks.get(id);
            if (t == null || !t.givenUp || t.unit.done()) {
                progress.log("resubmit " + id + ": not a failed shard of this run, left as it is");
                continue;
            }
            t.givenUp = false;
            resubmit(t, "resubmitted by hand");
            reviveDependents(t);
        }
    }

    /** The units given up because {@code t} failed, submitted again behind its new job (and theirs behind them). */
    private void reviveDependents(Track t) throws IOException {
        for (Track d : dependents(t))
            if (d.givenUp && !d.unit.done()) {
                d.givenUp = false;
                d.attempts--; // not the shard's own failure
                resubmit(d, "what it waits for was resubmitted");
                reviveDependents(d);
            }
    }

    /** The units that wait for {@code t}'s job. */
    private List<Track> dependents(Track t) {
        return tracks.values().stream()
                .filter(d -> d.afterUnits.contains(t.unit.id()))
                .toList();
    }

    /** Shard states for the watch: done by its file, failed when given up, else what the queue said. */
    private void publish() {
        List<ShardStatus> out = new ArrayList<>(tracks.size());
        for (Track t : tracks.values()) out.add(ShardStatus.of(t.unit, t.taskId(), state(t), t.attempts));
        watch.publish(out);
    }

    private static ShardState state(Track t) {
        if (t.unit.done()) return ShardState.DONE;
        if (t.givenUp) return ShardState.FAILED;
        if (!t.fresh && t.queueState != null && !t.queueState.equals("PENDING") && ACTIVE.contains(t.queueState))
            return ShardState.RUNNING;
        return t.attempts > 1 ? ShardState.RESUBMITTED : ShardState.PENDING;
    }

    private void check(Track t, Map<String, String> queued) throws IOException {
        if (t.givenUp || t.fresh || t.unit.done()) return;
        String state = queued.get(t.taskId());
        if (state != null && ACTIVE.contains(state)) return;
        if (t.afterUnits.stream().anyMatch(a -> tracks.containsKey(a) && tracks.get(a).givenUp)) {
            t.givenUp = true;
            slurm.cancel(List.of(t.taskId()));
            progress.log(t.unit.describe() + ": not run, what it waits for failed");
            return;
        }
        String outcome = slurm.outcome(t.taskId());
        if (t.attempts > retries) {
            t.givenUp = true;
            progress.log(t.unit.describe() + ": task " + t.taskId() + " ended without output (" + outcome
                    + "); given up after " + t.attempts + " attempt(s)");
            giveUpDependents(t);
            return;
        }
        resubmit(t, "task " + t.taskId() + " ended without output (" + outcome + ")");
        resubmitDependents(t);
    }

    /** Gives up (and cancels) every unit waiting for {@code t}, directly or through others. */
    private void giveUpDependents(Track t) throws IOException {
        for (Track d : dependents(t))
            if (!d.unit.done() && !d.givenUp) {
                d.givenUp = true;
                slurm.cancel(List.of(d.taskId()));
                giveUpDependents(d);
            }
    }

    /**
     * Units still waiting on {@code t}'s old job would wait forever (its dependency can never be met): each is
     * cancelled and submitted again behind the new job, and so are the units waiting for it in turn.
     */
    private void resubmitDependents(Track t) throws IOException {
        for (Track d : dependents(t))
            if (!d.unit.done() && !d.givenUp) {
                slurm.cancel(List.of(d.taskId()));
                d.attempts--; // not the shard's own failure
                resubmit(
                        d,
                        d.unit.kind() == WorkUnit.Kind.EVAL
                                ? "its compression was resubmitted"
                                : "what it waits for was resubmitted");
                resubmitDependents(d);
            }
    }

    private void resubmit(Track t, String why) throws IOException {
        String after = pendingJobs(t.afterUnits);
        String old = t.taskId();
        t.jobId = slurm.submit(t.script, Integer.toString(t.index), after);
        t.fresh = true;
        t.queueState = null;
        t.attempts++;
        resubmitted++;
        progress.log(t.unit.describe() + ": " + why + "; resubmitted as " + t.taskId() + " (attempt " + t.attempts
                + " of " + (retries + 1) + ", was " + old + ")");
    }

    /**
     * The jobs dependants of {@code unitIds} must wait for ("12:15", afterok's list), or null when every one is
     * done (or not tracked here).
     */
    private String pendingJobs(List<String> unitIds) {
        Set<String> jobs = new LinkedHashSet<>();
        for (String id : unitIds) {
            Track t = tracks.get(id);
            if (t != null && !t.unit.done()) jobs.add(t.jobId);
        }
        return jobs.isEmpty() ? null : String.join(":", jobs);
    }

    private static List<String> jobIds(List<Track> open) {
        Set<String> ids = new LinkedHashSet<>();
        for (Track t : open) ids.add(t.jobId);
        return new ArrayList<>(ids);
    }

    /** Cancels every task not done: on the user's cancel, and when the executor stops on an error. */
    void cancelAll() {
        List<String> ids = new ArrayList<>();
        for (Track t : tracks.values()) if (!t.unit.done() && !t.givenUp) ids.add(t.taskId());
        try {
            slurm.cancel(ids);
            if (!ids.isEmpty()) progress.log("cancelled " + ids.size() + " Slurm task(s)");
        } catch (IOException e) {
            progress.log("scancel failed: " + e.getMessage() + "; cancel by hand: scancel " + String.join(" ", ids));
        }
    }
}
