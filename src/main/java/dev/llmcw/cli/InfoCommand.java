package dev.llmcw.cli;

import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "info", description = "Print architecture, shapes, parameter count, dtypes and bytes of a model.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            description = "model: llama2.c file, Hugging Face folder, GGUF file or compressed model file")
    Path model;

    @Override
    public Integer call() {
        Model m = ModelLoader.load(model);
        var c = m.config();
        System.out.printf("model:        %s (%s)%n", m.label(), m.format());
        System.out.printf("architecture: %s%n", c.architecture());
        System.out.printf(
                "dim=%d hidden=%d layers=%d heads=%d kv_heads=%d head_dim=%d vocab=%d max_seq=%d%n",
                c.dim(),
                c.hiddenDim(),
                c.nLayers(),
                c.nHeads(),
                c.nKvHeads(),
                c.headDim(),
                c.vocabSize(),
                c.maxSeqLen());
        System.out.printf(
                "rope: %s theta=%.1f%s, tied embeddings: %s%n",
                c.ropeLayout(),
                c.ropeTheta(),
                c.ropeScaling() == null ? "" : " scaling=" + c.ropeScaling(),
                c.tiedEmbeddings());
        System.out.printf("parameters:   %,d%n", c.parameterCount());
        Map<String, Long> byType = new TreeMap<>();
        for (Tensor t : m.tensors().values()) byType.merge(t.dtype().name(), t.byteSize(), Long::sum);
        m.linears().values().forEach(l -> byType.merge(l.kind(), l.storageBytes(), Long::sum));
        byType.forEach((k, v) -> System.out.printf("  %-22s %,d bytes%n", k, v));
        System.out.printf("weight bytes: %,d%n", m.weightBytes());
        m.metadata().forEach((k, v) -> System.out.printf("  %s = %s%n", k, v));
        return 0;
    }
}
