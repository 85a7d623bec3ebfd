package dev.llmcw.compress;

import dev.llmcw.model.Model;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * A method whose work splits into tensors that do not depend on each other, so separate processes (cluster
 * jobs) can each compress some of them into the shared work folder, and {@link #compress} run afterwards
 * finds every tensor done and only assembles the file: the same bytes as one process compressing it all,
 * because every tensor goes through the same code with the same inputs either way. What all tensors read
 * (calibration statistics) is computed once beforehand by {@link #prepareShared} into a content-addressed
 * cache that every part reads.
 */
public interface PartwiseCompression extends CompressionMethod {
    /** The tensors compressed one by one, in the order the assembled file lists them. */
    List<String> partTargets(Model model);

    /**
     * Compresses {@code tensors} (some of {@link #partTargets}) into their part files under {@code workDir},
     * each written atomically; writes no model file. Parts already there for this setting are kept.
     */
    void compressParts(
            Model model, Collection<String> tensors, Path workDir, ProgressListener progress, CancellationToken cancel)
            throws IOException;

    /**
     * The content address of what every part reads (the calibration statistics' cache key) for the model whose
     * hash is {@code modelHash}, or null when the parts read nothing shared (data-free methods).
     */
    default String sharedInputKey(String modelHash) {
        return null;
    }

    /** The folder the shared input is cached in for {@code modelHash}, or null when there is none. */
    default Path sharedInputFolder(String modelHash) {
        return null;
    }

    /** Computes the shared input into its cache (the calibration pass); nothing for data-free methods. */
    default void prepareShared(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {}

    /** Whether the shared input of {@code model} is cached complete (always, for data-free methods). */
    default boolean sharedInputReady(Model model) {
        return true;
    }
}
