package dev.llmcw.engine;

/**
 * What one layer's attention reads and writes: the chunk's rotated queries (row t at t·qDim), the layer's
 * key and value cache (slot j at j·kvDim) and the output rows (as the queries).
 */
record AttentionBuffers(float[] q, float[] keys, float[] values, float[] out) {}
