package dev.llmcw.results;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The process that is evaluating a run: its id and start time. The start time guards against a
 * recycled process id (a new process with the killed one's id must not keep a dead run "running").
 */
record RunOwner(long pid, Instant started) {
    /** Start times of one process read twice may differ by the clock tick the OS reports them in. */
    private static final Duration SAME_START = Duration.ofSeconds(2);

    static RunOwner current() {
        ProcessHandle self = ProcessHandle.current();
        return new RunOwner(self.pid(), self.info().startInstant().orElse(null));
    }

    /** Whether this process still runs; an owner recorded without a process (older databases) is gone. */
    boolean alive() {
        if (pid <= 0) return false;
        if (pid == ProcessHandle.current().pid()) return true;
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return false;
        Optional<Instant> start = h.get().info().startInstant();
        // without a start time on either side, a live process with that id is taken as the owner
        return started == null
                || start.isEmpty()
                || Duration.between(start.get(), started).abs().compareTo(SAME_START) <= 0;
    }
}
