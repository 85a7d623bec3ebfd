package dev.llmcw.tensor;

/**
 * A float weight matrix W[rows][n] in {@link MatmulKernels#matmulTransposed}'s layout: groups of
 * S = {@link MatmulKernels#transposedRowStep()} rows, each group's columns one after another,
 * data[(r / S · n + k) · S + r mod S] = W[r][k], rows padded with zeros to whole groups; with its bias
 * (null for none), added to every output row r.
 */
public record TransposedWeights(float[] data, int rows, int n, float[] bias) {}
