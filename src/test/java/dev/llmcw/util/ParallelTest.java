package dev.llmcw.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private int before;

    @BeforeEach
    void fourThreads() {
        before = Parallel.threads();
        Parallel.setThreads(4); // more threads than this machine's cores is fine and exercises parking
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    /** Per-index floating-point work whose result depends on the order of its own operations. */
    private static float work(float[] x, int i) {
        float s = 0;
        for (int j = 0; j < x.length; j++) s += x[(i * 31 + j) % x.length] * (j + 1) / (i + 1);
        return s;
    }

    @Test
    void everyIndexRunsOnceAndResultsMatchTheSerialLoopBitForBit() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] x = new float[257];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        int n = 10_000;
        float[] serial = new float[n];
        for (int i = 0; i < n; i++) serial[i] = work(x, i);
        for (int grain : new int[] {1, 3, 64, 5000, 20_000}) {
            float[] par = new float[n];
            AtomicIntegerArray count = new AtomicIntegerArray(n);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            Parallel.forRange(0, n, grain, i -> {
                count.incrementAndGet(i);
                threads.add(Thread.currentThread().getName());
                par[i] = work(x, i);
            });
            for (int i = 0; i < n; i++)
                assertThat(count.get(i))
                        .as("runs of index %d, grain %d", i, grain)
                        .isEqualTo(1);
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(par[i]))
                        .as("index %d, grain %d", i, grain)
                        .isEqualTo(Float.floatToRawIntBits(serial[i]));
            }
            if (grain >= n)
                assertThat(threads).containsExactly(Thread.currentThread().getName());
        }
    }

    @Test
    void offsetRangesAndEmptyRanges() {
        AtomicIntegerArray seen = new AtomicIntegerArray(100);
        Parallel.forRange(37, 91, 1, i -> seen.incrementAndGet(i));
        for (int i = 0; i < 100; i++) assertThat(seen.get(i)).isEqualTo(i >= 37 && i < 91 ? 1 : 0);
        Parallel.forRange(5, 5, 1, i -> {
            throw new AssertionError("empty range ran " + i);
        });
        Parallel.forRange(9, 2, 1, i -> {
            throw new AssertionError("negative range ran " + i);
        });
    }

    @Test
    void regionsRunOnSeveralThreads() throws Exception {
        // each index waits until a second thread has joined, so one thread alone can never finish
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch two = new CountDownLatch(2);
        Parallel.forRange(0, 8, 1, i -> {
            if (seen.add(Thread.currentThread())) two.countDown();
            try {
                if (!two.await(20, TimeUnit.SECONDS)) throw new AssertionError("no second thread");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(seen.size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void exceptionsPropagateAndTheGroupStaysUsable() {
        for (int rep = 0; rep < 20; rep++) {
            int bad = rep * 37 % 1000;
            AtomicInteger ran = new AtomicInteger();
            assertThatThrownBy(() -> Parallel.forRange(0, 1000, 1, i -> {
                        ran.incrementAndGet();
                        if (i == bad) throw new IllegalStateException("boom at " + i);
                    }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("boom at " + bad);
            assertThat(ran.get()).isBetween(1, 1000);
        }
        assertThatThrownBy(() -> Parallel.forRange(0, 100, 1, i -> {
                    if (i == 99) throw new StackOverflowError("error " + i);
                }))
                .isInstanceOf(StackOverflowError.class)
                .hasMessage("error 99");
        // afterwards the group works normally
        AtomicIntegerArray seen = new AtomicIntegerArray(1000);
        Parallel.forRange(0, 1000, 1, seen::incrementAndGet);
        for (int i = 0; i < 1000; i++) assertThat(seen.get(i)).isEqualTo(1);
    }

    @Test
    void nestedCallsRunInline() {
        int outer = 16, inner = 50;
        int[][] out = new int[outer][inner];
        Parallel.forRange(0, outer, 1, i -> {
            String self = Thread.currentThread().getName();
            Parallel.forRange(0, inner, 1, j -> {
                assertThat(Thread.currentThread().getName()).isEqualTo(self);
                out[i][j] = i * 1000 + j;
            });
        });
        for (int i = 0; i < outer; i++)
            for (int j = 0; j < inner; j++) assertThat(out[i][j]).isEqualTo(i * 1000 + j);
    }

    @Test
    void concurrentCallersFromOutsideThreadsAreSafe() throws Exception {
        int callers = 4, regions = 300, n = 513;
        List<Thread> ts = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < callers; c++) {
            int id = c;
            Thread t = new Thread(
                    () -> {
                        try {
                            for (int r = 0; r < regions; r++) {
                                long[] out = new long[n];
                                int salt = id * 100_000 + r;
                                Parallel.forRange(0, n, 1 + r % 7, i -> out[i] += (long) salt * n + i);
                                for (int i = 0; i < n; i++) {
                                    if (out[i] != (long) salt * n + i)
                                        throw new AssertionError("caller " + id + " region " + r + " index " + i);
                                }
                                if (r % 50 == 7) {
                                    try {
                                        Parallel.forRange(0, n, 1, i -> {
                                            if (i == n / 2) throw new IllegalArgumentException("x");
                                        });
                                        throw new AssertionError("exception lost");
                                    } catch (IllegalArgumentException expected) {
                                        // propagated to this caller only
                                    }
                                }
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    },
                    "caller-" + c);
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) t.join(120_000);
        for (Thread t : ts)
            assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
        assertThat(failures).isEmpty();
    }

    @Test
    void setThreadsWhileIdleResizesTheGroup() {
        for (int n : new int[] {1, 3, 2, 6, 1}) {
            Parallel.setThreads(n);
            assertThat(Parallel.threads()).isEqualTo(n);
            AtomicIntegerArray seen = new AtomicIntegerArray(500);
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            Parallel.forRange(0, 500, 1, i -> {
                seen.incrementAndGet(i);
                threads.add(Thread.currentThread());
            });
            for (int i = 0; i < 500; i++) assertThat(seen.get(i)).isEqualTo(1);
            assertThat(threads.size()).isLessThanOrEqualTo(n);
            if (n == 1) assertThat(threads).containsExactly(Thread.currentThread());
        }
        Parallel.setThreads(0); // clamped to one thread
        assertThat(Parallel.threads()).isEqualTo(1);
    }

    @Test
    void oldWorkersExitAfterResize() throws Exception {
        Parallel.setThreads(5);
        Parallel.forRange(0, 100, 1, i -> {});
        Parallel.setThreads(2);
        long deadline = System.nanoTime() + 10_000_000_000L;
        long live;
        do {
            Thread.sleep(20);
            live = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("engine-") && t.isAlive())
                    .count();
        } while (live > 1 && System.nanoTime() < deadline);
        assertThat(live).as("engine worker threads alive after resizing to 2").isEqualTo(1);
    }

    @Test
    void setThreadsInsideARegionIsRejected() {
        assertThatThrownBy(() -> Parallel.forRange(0, 4, 1, i -> Parallel.setThreads(3)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(Parallel.threads()).isEqualTo(4);
    }
}
