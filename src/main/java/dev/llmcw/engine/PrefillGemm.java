package dev.llmcw.engine;

import dev.llmcw.tensor.gemm.BlockedGemm;
import java.util.Locale;

/**
 * Which kernel dense layers use for prefill batches (system property {@code workbench.gemm}, or
 * {@link #set} at run time): {@link #AUTO} the default, {@link #TILED} the earlier dot-product tile kernel
 * (kept for A/B measurements and as the tests' reference), {@link #BLOCKED} {@link BlockedGemm} for every
 * layer including short rows.
 */
public enum PrefillGemm {
    /** {@link BlockedGemm} for batches of {@link #FROM} tokens or more, except short rows (the transposed kernel). */
    AUTO,
    /** {@link dev.llmcw.tensor.MatmulKernels#matmulTile} over row blocks converted to floats (before 2026-12-07). */
    TILED,
    /** {@link BlockedGemm} for every dense layer at batches of {@link #FROM} tokens or more. */
    BLOCKED;

    /** Smallest batch for the blocked kernel: one token group of the panel (smaller batches would be mostly padding). */
    public static final int FROM = 16;

    private static volatile PrefillGemm current = parse(System.getProperty("workbench.gemm", "auto"));

    public static PrefillGemm current() {
        return current;
    }

    /** Switches the route (benchmarks and tests); affects the products started afterwards. */
    public static void set(PrefillGemm route) {
        current = route;
    }

    static PrefillGemm parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("workbench.gemm must be auto, tiled or blocked, got '" + s + "'", e);
        }
    }

    /** Whether a batch of this size runs the blocked kernel on a layer ({@code shortRows}: one the transposed kernel takes). */
    boolean blocked(int batch, boolean shortRows) {
        return batch >= FROM && (this == BLOCKED || (this == AUTO && !shortRows));
    }
}
