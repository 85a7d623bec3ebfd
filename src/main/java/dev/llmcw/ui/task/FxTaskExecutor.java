package dev.llmcw.ui.task;

import dev.llmcw.util.ProgressListener;
import dev.llmcw.util.ThreadNice;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javafx.application.Platform;

/**
 * The application's executor: quick tasks (loading, estimates) on a small pool, serial tasks
 * (compression, evaluation) one at a time on a job thread; callbacks on the FX thread. Progress is
 * coalesced so a tight worker loop cannot flood the FX thread: only the newest progress value is
 * delivered per pulse, while log lines are all delivered in order.
 */
public final class FxTaskExecutor implements TaskExecutor {
    private final ExecutorService quick = Executors.newFixedThreadPool(2, daemon("workbench-task"));
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(daemon("workbench-job"));

    @Override
    public <T> BackgroundTask<T> execute(BackgroundTask<T> task) {
        (task.isSerial() ? jobs : quick).execute(() -> task.runOn(Platform::runLater, coalescing(task)));
        return task;
    }

    private static ProgressListener coalescing(BackgroundTask<?> task) {
        var latest = new AtomicReference<BackgroundTask.Progress>();
        var logs = new ConcurrentLinkedQueue<BackgroundTask.Progress>();
        var scheduled = new AtomicBoolean();
        Runnable drain = () -> {
            scheduled.set(false);
            BackgroundTask.Progress l;
            while ((l = logs.poll()) != null) task.progress(l);
            var p = latest.getAndSet(null);
            if (p != null) task.progress(p);
        };
        return (stage, done, total, message) -> {
            var p = new BackgroundTask.Progress(stage, done, total, message == null ? "" : message);
            if (p.isLogLine()) logs.add(p);
            else latest.set(p);
            if (scheduled.compareAndSet(false, true)) Platform.runLater(drain);
        };
    }

    @Override
    public void runOnUi(Runnable r) {
        if (Platform.isFxApplicationThread()) r.run();
        else Platform.runLater(r);
    }

    @Override
    public void shutdown() {
        quick.shutdownNow();
        jobs.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        var n = new AtomicInteger();
        return r -> {
            // background work (model loading, compression, evaluation) runs below the FX thread's priority
            Thread t = new Thread(
                    () -> {
                        ThreadNice.lowerCurrentThread(ThreadNice.ENGINE);
                        r.run();
                    },
                    name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
