package dev.llmcw.compress;

import java.util.Locale;

/**
 * Whether a setting compresses at all: a CALDERA rank near min(rows, cols) with 16-bit factors, or a large group
 * count, can make the "compressed" model larger than the original. That is a warning, not an error (a researcher
 * may want the point on a curve), shown next to the live bits/weight in the GUI and printed by the CLI.
 */
public final class SizeCheck {
    private SizeCheck() {}

    /** Null when the compressed model is smaller than the original, else a warning with both sizes. */
    public static String largerThanOriginal(SizeEstimate estimate, long originalBytes) {
        if (estimate == null || originalBytes <= 0 || estimate.totalBytes() <= originalBytes) return null;
        return String.format(
                Locale.ROOT,
                "warning: this setting makes the model larger than the original (%,d bytes vs %,d, %.3f bits/weight"
                        + " overall); lower the rank or bits to compress it",
                estimate.totalBytes(),
                originalBytes,
                estimate.bitsPerWeightOverall());
    }
}
