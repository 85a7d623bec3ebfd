package dev.llmcw.engine;

import java.util.Arrays;

/**
 * Rows of one forward pass grouped in segments, for scoring several continuations of one context in a
 * single pass. Segment g holds rows [rowStart[g], rowStart[g+1]) of the chunk (cache slots start+row),
 * at positions posStart[g], posStart[g]+1, ...; its rows attend to cache slots [0, prefixEnd[g]) and
 * to the rows of their own segment up to themselves. A causal chunk is one segment whose prefix is
 * everything cached before it.
 */
final class Segments {
    final int[] rowStart, prefixEnd, posStart;
    private final int[] segmentOf;

    Segments(int[] rowStart, int[] prefixEnd, int[] posStart) {
        this.rowStart = rowStart;
        this.prefixEnd = prefixEnd;
        this.posStart = posStart;
        int n = rowStart[rowStart.length - 1];
        segmentOf = new int[n];
        for (int g = 0; g + 1 < rowStart.length; g++) {
            if (rowStart[g + 1] < rowStart[g])
                throw new IllegalArgumentException("segment " + g + " ends before it starts");
            Arrays.fill(segmentOf, rowStart[g], rowStart[g + 1], g);
        }
    }

    static Segments causal(int start, int n) {
        return new Segments(new int[] {0, n}, new int[] {start}, new int[] {start});
    }

    int count() {
        return prefixEnd.length;
    }

    /** The segment holding chunk row {@code row}. */
    int segment(int row) {
        return segmentOf[row];
    }

    int position(int row) {
        int g = segmentOf[row];
        return posStart[g] + row - rowStart[g];
    }
}
