package dev.llmcw.results;

import dev.llmcw.compress.CompressionReport;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A finished compression of one model with one setting: where the file is and how good it is.
 * Suites look these up by (model hash, method, parameters) to skip work already done.
 *
 * @param id        0 until stored
 * @param fileHash  content hash of the compressed file (its cache identity when evaluated)
 */
public record CompressionRecord(long id, Instant created, String modelHash, String modelPath, String method,
                                Map<String, String> params, String filePath, String fileHash, Long sizeBytes,
                                Double bitsPerWeight, Double seconds,
                                List<CompressionReport.TensorError> tensorErrors, String codeVersion) {

    public CompressionRecord {
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(params));
        tensorErrors = tensorErrors == null ? List.of() : List.copyOf(tensorErrors);
    }

    /** Record of a compression report about to be stored. */
    public static CompressionRecord of(String modelHash, String modelPath, CompressionReport r, String fileHash) {
        return new CompressionRecord(0, Instant.now(), modelHash, modelPath, r.method(), r.parameters(),
                r.file().toString(), fileHash, r.size() == null ? null : r.size().totalBytes(),
                r.size() == null ? null : r.size().bitsPerWeightOverall(), r.seconds(), r.tensorErrors(),
                dev.llmcw.util.BuildInfo.version());
    }
}
