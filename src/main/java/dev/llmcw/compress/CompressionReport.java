package dev.llmcw.compress;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a finished compression produced: the file, its honest size, and per-tensor reconstruction
 * errors (relative ‖W−Ŵ‖/‖W‖, and for calibration-aware methods the activation-weighted error).
 */
public record CompressionReport(
        Path file,
        String method,
        Map<String, String> parameters,
        SizeEstimate size,
        List<TensorError> tensorErrors,
        double seconds) {
    public record TensorError(String tensor, double relativeError, double relativeActivationError) {}
}
