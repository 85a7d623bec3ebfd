package dev.llmcw.results;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.util.BuildInfo;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A finished compression of one model with one setting: where the file is and how good it is.
 * Suites look these up by (model hash, method, parameters) to skip work already done.
 *
 * @param id        0 until stored
 * @param fileHash      content hash of the compressed file (its cache identity when evaluated)
 * @param sizeBytes     bytes of the whole compressed model (compressed + kept tensors)
 * @param bitsPerWeight bits per weight over the compressed tensors, scales and seeds included (the
 *                      number papers and charts compare; the overall figure follows from sizeBytes)
 */
public record CompressionRecord(
        long id,
        Instant created,
        String modelHash,
        String modelPath,
        String method,
        Map<String, String> params,
        String filePath,
        String fileHash,
        Long sizeBytes,
        Double bitsPerWeight,
        Double seconds,
        List<CompressionReport.TensorError> tensorErrors,
        String codeVersion) {

    public CompressionRecord {
        params = params == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(params));
        tensorErrors = tensorErrors == null ? List.of() : List.copyOf(tensorErrors);
    }

    /** Record of a compression report about to be stored. */
    public static CompressionRecord of(String modelHash, String modelPath, CompressionReport r, String fileHash) {
        return new CompressionRecord(
                0,
                Instant.now(),
                modelHash,
                modelPath,
                r.method(),
                r.parameters(),
                r.file().toString(),
                fileHash,
                r.size() == null ? null : r.size().totalBytes(),
                r.size() == null ? null : r.size().bitsPerCompressedWeight(),
                r.seconds(),
                r.tensorErrors(),
                BuildInfo.version());
    }
}
