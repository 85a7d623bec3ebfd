package dev.llmcw.ui.task;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.FailureLog;
import dev.llmcw.util.ProgressListener;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Work to run off the UI thread, with callbacks that the {@link TaskExecutor} delivers on the UI
 * thread (the FX thread in the app, the caller's thread in tests).
 */
public final class BackgroundTask<T> {
    private static final Logger LOG = FailureLog.of(BackgroundTask.class);
    /** The work itself: runs on a worker thread, reports progress, checks the token. */
    @FunctionalInterface
    public interface Work<T> {
        T call(ProgressListener progress, CancellationToken cancel) throws Exception;
    }

    /** A progress report as delivered to the UI. */
    public record Progress(String stage, long done, long total, String message) {
        public double fraction() {
            return total > 0 ? Math.min(1.0, (double) done / total) : -1;
        }

        public boolean isLogLine() {
            return done < 0 && total < 0;
        }
    }

    private final Work<T> work;
    private final CancellationToken cancel = new CancellationToken();
    private boolean serial;
    private Runnable onRunning = () -> {};
    private Consumer<T> onSuccess = v -> {};
    private Consumer<Throwable> onFailure = e -> {};
    private Runnable onCancelled = () -> {};
    private Consumer<Progress> onProgress = p -> {};

    private BackgroundTask(Work<T> work) {
        this.work = work;
    }

    public static <T> BackgroundTask<T> of(Work<T> work) {
        return new BackgroundTask<>(work);
    }

    /** Run in the one-at-a-time job queue (compression, evaluation) rather than beside other work. */
    public BackgroundTask<T> serial() {
        serial = true;
        return this;
    }

    public BackgroundTask<T> onRunning(Runnable r) {
        onRunning = r;
        return this;
    }

    public BackgroundTask<T> onSuccess(Consumer<T> c) {
        onSuccess = c;
        return this;
    }

    public BackgroundTask<T> onFailure(Consumer<Throwable> c) {
        onFailure = c;
        return this;
    }

    public BackgroundTask<T> onCancelled(Runnable r) {
        onCancelled = r;
        return this;
    }

    public BackgroundTask<T> onProgress(Consumer<Progress> c) {
        onProgress = c;
        return this;
    }

    public boolean isSerial() {
        return serial;
    }

    public CancellationToken cancellation() {
        return cancel;
    }

    public void cancel() {
        cancel.cancel();
    }

    // Used by executors.
    T call(ProgressListener p) throws Exception {
        return work.call(p, cancel);
    }

    void running() {
        onRunning.run();
    }

    void succeeded(T v) {
        onSuccess.accept(v);
    }

    void failed(Throwable t) {
        onFailure.accept(t);
    }

    void cancelled() {
        onCancelled.run();
    }

    void progress(Progress p) {
        onProgress.accept(p);
    }

    /** Runs the task to completion on the current thread, delivering callbacks through {@code ui}. */
    void runOn(Executor ui, ProgressListener listener) {
        if (cancel.isCancelled()) {
            ui.execute(this::cancelled);
            return;
        }
        ui.execute(this::running);
        try {
            T v = call(listener);
            if (cancel.isCancelled()) ui.execute(this::cancelled);
            else ui.execute(() -> succeeded(v));
        } catch (CancellationToken.CancelledException e) {
            ui.execute(this::cancelled);
        } catch (Throwable t) {
            // the dialog shows one sentence; the stack trace goes to the log file
            LOG.error("background task failed: {}", t.toString(), t);
            if (cancel.isCancelled()) ui.execute(this::cancelled);
            else ui.execute(() -> failed(t));
        }
    }
}
