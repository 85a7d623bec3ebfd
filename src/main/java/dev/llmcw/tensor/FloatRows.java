package dev.llmcw.tensor;

/** Rows of a float matrix inside an array: row i starts at data[offset + i·stride]. */
public record FloatRows(float[] data, int offset, int stride) {}
