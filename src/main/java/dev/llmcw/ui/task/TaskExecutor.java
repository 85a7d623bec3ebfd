package dev.llmcw.ui.task;

/** Runs {@link BackgroundTask}s off the UI thread and delivers their callbacks on it. */
public interface TaskExecutor {
    <T> BackgroundTask<T> execute(BackgroundTask<T> task);

    /** Runs {@code r} on the UI thread (later, or now when already on it in a synchronous executor). */
    void runOnUi(Runnable r);

    void shutdown();
}
