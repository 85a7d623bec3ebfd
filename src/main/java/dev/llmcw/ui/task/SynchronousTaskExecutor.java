package dev.llmcw.ui.task;

/** Runs tasks inline on the caller's thread: view-model tests without threads or the FX toolkit. */
public final class SynchronousTaskExecutor implements TaskExecutor {
    @Override
    public <T> BackgroundTask<T> execute(BackgroundTask<T> task) {
        task.runOn(
                Runnable::run,
                (stage, done, total, message) ->
                        task.progress(new BackgroundTask.Progress(stage, done, total, message)));
        return task;
    }

    @Override
    public void runOnUi(Runnable r) {
        r.run();
    }

    @Override
    public void shutdown() {}
}
