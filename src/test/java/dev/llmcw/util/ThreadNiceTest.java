package dev.llmcw.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ThreadNiceTest {
    @Test
    void aThreadIsLoweredOnceAndNeverRaisedBack() throws Exception {
        Assumptions.assumeTrue(
                System.getProperty("os.name").toLowerCase().contains("linux"), "nice values are set on Linux only");
        var lowered = new AtomicBoolean();
        var raisedBack = new AtomicBoolean(true);
        var after = new AtomicInteger(-100);
        var fresh = new AtomicInteger(-100);
        Thread t = new Thread(() -> {
            fresh.set(ThreadNice.current());
            lowered.set(ThreadNice.lowerCurrentThread(ThreadNice.ENGINE));
            raisedBack.set(ThreadNice.lowerCurrentThread(ThreadNice.ENGINE - 2));
            after.set(ThreadNice.current());
        });
        t.start();
        t.join();
        if (fresh.get() >= ThreadNice.ENGINE)
            return; // the whole test JVM already runs niced this far: nothing to lower
        assertThat(lowered).isTrue();
        assertThat(raisedBack).isFalse();
        assertThat(after.get()).isEqualTo(ThreadNice.ENGINE);
        assertThat(ThreadNice.current()).as("other threads keep their priority").isEqualTo(fresh.get());
    }

    @Test
    void theEngineWorkersRunAtTheEngineLevel() {
        Assumptions.assumeTrue(
                System.getProperty("os.name").toLowerCase().contains("linux"), "nice values are set on Linux only");
        Assumptions.assumeTrue(ThreadNice.current() < ThreadNice.ENGINE, "the test JVM already runs niced");
        Set<String> workers = ConcurrentHashMap.newKeySet();
        Set<Integer> niceOfWorkers = ConcurrentHashMap.newKeySet();
        Parallel.forRange(0, 64, 1, i -> {
            if (Thread.currentThread().getName().startsWith("engine-")) {
                workers.add(Thread.currentThread().getName());
                niceOfWorkers.add(ThreadNice.current());
            }
            long x = 0;
            for (int k = 0; k < 200_000; k++) x += k ^ i;
            if (x == 42) throw new IllegalStateException();
        });
        Assumptions.assumeTrue(!workers.isEmpty(), "one core: the caller ran every index itself");
        assertThat(niceOfWorkers).containsOnly(ThreadNice.ENGINE);
    }
}
