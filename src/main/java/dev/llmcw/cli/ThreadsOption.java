package dev.llmcw.cli;

import dev.llmcw.util.Parallel;
import picocli.CommandLine.Option;

/** {@code --threads}: worker threads of the engine's parallel loops (picocli mixin). */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all cores)")
    Integer threads;

    /** Sets the worker threads when --threads was given; otherwise leaves the default (all cores). */
    void apply() {
        if (threads != null) Parallel.setThreads(threads);
    }
}
