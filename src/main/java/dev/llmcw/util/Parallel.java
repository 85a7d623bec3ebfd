package dev.llmcw.util;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The engine's worker group (size: system property {@code workbench.threads}, default all cores) and a
 * parallel-for over index ranges. Kernels call {@link #forRange} so one setting controls how many cores
 * inference, compression and evaluation use.
 *
 * <p>A decode step is ~150 small parallel regions of 20–200 µs each, so the cost of starting and
 * joining a region matters as much as the work in it. The group is therefore persistent and cheap to
 * wake: {@code threads() - 1} daemon worker threads plus the calling thread, which takes part in every
 * region. A region is cut into contiguous chunks that the participants claim from an atomic counter
 * (dynamic, so a descheduled thread on a shared machine does not hold up the others); between regions
 * the workers spin briefly ({@link Thread#onSpinWait}, system property {@code workbench.spinMicros},
 * default 20) and then park, and the caller spins on a completion counter in the same way.
 *
 * <p>Guarantees:
 * <ul>
 * <li>each index runs exactly once, on one thread, with no reordering inside the body, so any result
 *     that a body writes to its own index is bit-identical to a serial loop;</li>
 * <li>the first exception a body throws (on any thread) is rethrown to the caller after every claimed
 *     chunk has finished; chunks not yet started are skipped, and the group stays usable;</li>
 * <li>a call from inside a region (from a worker, or from the caller while it runs its share) runs
 *     inline on that thread;</li>
 * <li>calls from different outside threads (the GUI's job and task threads, evaluation threads) are
 *     <em>serialised</em> by a lock, region by region: two jobs interleave their regions and each region
 *     still uses every core, rather than oversubscribing the cores. A body must therefore not block on
 *     another thread that is itself waiting to start a region (it would wait for the lock forever);
 *     no caller in the workbench does that.</li>
 * </ul>
 */
public final class Parallel {
    private static final long SPIN_NANOS = 1000L * Long.getLong("workbench.spinMicros", 20L);
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile Group group = new Group(
            Integer.getInteger("workbench.threads", Runtime.getRuntime().availableProcessors()));
    private static int generation;

    private Parallel() {}

    public static int threads() {
        return group.size;
    }

    /**
     * Replaces the group (e.g. from settings). Waits for a region running on another thread to finish;
     * the old workers exit once idle. Not allowed from inside a region.
     */
    public static void setThreads(int n) {
        if (Thread.currentThread() instanceof Worker || LOCK.isHeldByCurrentThread()) {
            throw new IllegalStateException("Parallel.setThreads called from inside a parallel region");
        }
        LOCK.lock();
        try {
            Group old = group;
            if (Math.max(1, n) != old.size) {
                group = new Group(n);
                old.shutdown();
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** Runs body(i) for i in [from, to), split into contiguous chunks of at least {@code grain} indices. */
    public static void forRange(int from, int to, int grain, IntConsumer body) {
        int n = to - from;
        if (n <= 0) return;
        Group g = group;
        if (n <= grain || g.size == 1 || Thread.currentThread() instanceof Worker || LOCK.isHeldByCurrentThread()) {
            for (int i = from; i < to; i++) body.accept(i);
            return;
        }
        LOCK.lock();
        try {
            g = group; // setThreads may have replaced it while we waited
            if (g.size == 1) {
                for (int i = from; i < to; i++) body.accept(i);
                return;
            }
            int chunks = Math.min(g.size * 4, (n + grain - 1) / Math.max(1, grain));
            g.run(new Job(from, to, chunks, body));
        } finally {
            LOCK.unlock();
        }
    }

    /** One region: chunk c covers [from + c*n/chunks, from + (c+1)*n/chunks). */
    private static final class Job {
        final int from, n, chunks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile Thread waiter; // the caller, once it parks waiting for the last chunks

        Job(int from, int to, int chunks, IntConsumer body) {
            this.from = from;
            this.n = to - from;
            this.chunks = chunks;
            this.body = body;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                if (error.get() == null) {
                    int lo = from + (int) ((long) c * n / chunks), hi = from + (int) ((long) (c + 1) * n / chunks);
                    try {
                        for (int i = lo; i < hi; i++) body.accept(i);
                    } catch (Throwable t) {
                        error.compareAndSet(null, t);
                    }
                }
                if (done.incrementAndGet() == chunks) {
                    Thread w = waiter;
                    if (w != null) LockSupport.unpark(w);
                }
            }
        }

        void awaitDone() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (done.get() < chunks) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    waiter = Thread.currentThread();
                    if (done.get() < chunks) LockSupport.park(this);
                }
            }
        }
    }

    private static final class Group {
        final int size;
        final Worker[] workers;
        /** The current region; a new object per region, so a late worker never mixes two regions. */
        volatile Job job;

        volatile boolean shutdown;

        Group(int n) {
            this.size = Math.max(1, n);
            int gen;
            synchronized (Parallel.class) {
                gen = generation++;
            }
            workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, "engine-" + gen + "-" + (i + 1));
                workers[i].start();
            }
        }

        /** Called with the lock held: publishes the job, wakes parked workers, works, waits, rethrows. */
        void run(Job j) {
            job = j;
            for (Worker w : workers) {
                if (w.parked) LockSupport.unpark(w);
            }
            j.work();
            j.awaitDone();
            Throwable t = j.error.get();
            if (t != null) {
                if (t instanceof RuntimeException re) throw re;
                if (t instanceof Error e) throw e;
                throw new RuntimeException(t); // IntConsumer cannot throw checked exceptions; kept for safety
            }
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Group group;
        /** Set before parking, cleared after; the caller unparks only workers that may be parked. */
        volatile boolean parked;

        Worker(Group group, String name) {
            super(name);
            this.group = group;
            setDaemon(true);
        }

        @Override
        public void run() {
            ThreadNice.lowerCurrentThread(ThreadNice.ENGINE); // see ThreadNice: the JIT and the GUI first
            Job seen = null;
            while (!group.shutdown) {
                Job j = group.job;
                if (j == seen) {
                    idle(seen);
                    continue;
                }
                seen = j;
                j.work();
            }
        }

        /** Spins until a new job appears or the spin time is up, then parks until unparked. */
        private void idle(Job seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (group.job == seen && !group.shutdown) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // re-check after announcing: either we see the new job, or the caller sees parked
                    if (group.job == seen && !group.shutdown) LockSupport.park(this);
                    parked = false;
                }
            }
        }
    }
}
