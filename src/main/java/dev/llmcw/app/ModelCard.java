package dev.llmcw.app;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the Model view shows about a loaded model; every field is read from the loaded model itself.
 *
 * @param dtypes bytes per storage type ("F32", "BF16", "seedlm", ...)
 */
public record ModelCard(
        String label,
        String format,
        Path source,
        boolean synthetic,
        String architecture,
        long parameters,
        long weightBytes,
        Map<String, Long> dtypes,
        int vocabSize,
        int layers,
        int dim,
        int hiddenDim,
        int heads,
        int kvHeads,
        int maxSeqLen,
        boolean tiedEmbeddings,
        boolean hasTokenizer,
        Map<String, String> metadata) {

    public static ModelCard of(Model m) {
        ModelConfig c = m.config();
        var byType = new TreeMap<String, Long>();
        for (var e : m.tensors().entrySet()) {
            if (m.linears().containsKey(e.getKey())) continue;
            Tensor t = e.getValue();
            byType.merge(t.dtype().name(), t.byteSize(), Long::sum);
        }
        for (Linear l : m.linears().values()) byType.merge(l.kind(), l.storageBytes(), Long::sum);
        boolean synthetic = m.label() != null && m.label().contains("SYNTHETIC");
        return new ModelCard(
                m.label(),
                m.format(),
                m.source(),
                synthetic,
                c.architecture(),
                c.parameterCount(),
                m.weightBytes(),
                byType,
                c.vocabSize(),
                c.nLayers(),
                c.dim(),
                c.hiddenDim(),
                c.nHeads(),
                c.nKvHeads(),
                c.maxSeqLen(),
                c.tiedEmbeddings(),
                m.tokenizer() != null,
                m.metadata());
    }

    /** "F32" when one type holds everything, else "F32 62% · seedlm 38%". */
    public String dtypeSummary() {
        if (dtypes.size() == 1) return dtypes.keySet().iterator().next();
        long total = dtypes.values().stream().mapToLong(Long::longValue).sum();
        var sb = new StringBuilder();
        dtypes.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " · ")
                .append(k)
                .append(' ')
                .append(Math.round(100.0 * v / Math.max(1, total)))
                .append('%'));
        return sb.toString();
    }
}
