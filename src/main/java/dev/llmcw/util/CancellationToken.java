package dev.llmcw.util;

import java.util.concurrent.atomic.AtomicBoolean;

/** Cooperative cancellation shared between a task's owner (GUI/CLI) and the worker. */
public final class CancellationToken {
    private final AtomicBoolean cancelled = new AtomicBoolean();

    public static CancellationToken none() {
        return new CancellationToken();
    }

    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Throws {@link CancelledException} if cancellation was requested; call at item/block granularity. */
    public void throwIfCancelled() {
        if (cancelled.get()) throw new CancelledException();
    }

    /** Thrown by work that stopped because it was cancelled; completed parts stay saved. */
    public static final class CancelledException extends RuntimeException {
        public CancelledException() {
            super("cancelled");
        }
    }
}
