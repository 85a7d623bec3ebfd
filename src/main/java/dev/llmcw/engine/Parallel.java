package dev.llmcw.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The engine's dedicated thread pool (size: system property {@code workbench.threads}, default all
 * cores) and a parallel-for over index ranges. Kernels call {@link #forRange} so one setting controls
 * how many cores inference, compression and evaluation use.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(Integer.getInteger("workbench.threads",
            Runtime.getRuntime().availableProcessors()));

    private Parallel() {}

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(Math.max(1, n), p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("engine-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    public static int threads() { return pool.getParallelism(); }

    /** Replaces the pool (e.g. from settings); running work finishes on the old pool. */
    public static synchronized void setThreads(int n) {
        if (n != pool.getParallelism()) {
            var old = pool;
            pool = newPool(n);
            old.shutdown();
        }
    }

    /** Runs body(i) for i in [from, to), split into contiguous chunks of at least {@code grain} indices. */
    public static void forRange(int from, int to, int grain, IntConsumer body) {
        int n = to - from;
        if (n <= 0) return;
        if (n <= grain || threads() == 1 || ForkJoinTask.inForkJoinPool() && Thread.currentThread().getName().startsWith("engine-")) {
            for (int i = from; i < to; i++) body.accept(i);
            return;
        }
        int chunks = Math.min(threads() * 4, (n + grain - 1) / grain);
        pool.invoke(new Chunk(from, to, Math.max(grain, (n + chunks - 1) / chunks), body));
    }

    private static final class Chunk extends RecursiveAction {
        private final int from, to, size;
        private final IntConsumer body;

        Chunk(int from, int to, int size, IntConsumer body) {
            this.from = from; this.to = to; this.size = size; this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from <= size) {
                for (int i = from; i < to; i++) body.accept(i);
            } else {
                int mid = from + (to - from) / 2;
                invokeAll(new Chunk(from, mid, size, body), new Chunk(mid, to, size, body));
            }
        }
    }
}
