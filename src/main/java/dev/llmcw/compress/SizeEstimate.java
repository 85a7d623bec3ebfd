package dev.llmcw.compress;

/**
 * Size accounting of one compression setting on one model.
 *
 * @param compressedParams      parameters in the compressed tensors
 * @param bitsPerCompressedWeight bits per weight over the compressed tensors (incl. their scales/seeds)
 * @param totalParams           all parameters of the model
 * @param totalBytes            bytes of the whole compressed model (compressed + kept tensors)
 * @param bitsPerWeightOverall  8 * totalBytes / totalParams
 * @param convention            how bits were counted, in words
 */
public record SizeEstimate(
        long compressedParams,
        double bitsPerCompressedWeight,
        long totalParams,
        long totalBytes,
        double bitsPerWeightOverall,
        String convention) {}
