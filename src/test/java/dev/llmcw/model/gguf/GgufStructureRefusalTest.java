package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.ModelLoadException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF headers that disagree with themselves, the file or the tensors are refused naming the tensor. */
class GgufStructureRefusalTest {
    @TempDir
    Path dir;

    @Test
    void overlappingTensorRangesAreRefused() throws Exception {
        var raw = new RawGguf()
                .header(3, 2, 0)
                .tensor("a.weight", GgmlType.F32, 0, 8)
                .tensor("b.weight", GgmlType.F32, 0, 8) // the same 32 bytes as a.weight
                .padTo(32)
                .zeros(64);
        Path p = dir.resolve("overlap.gguf");
        Files.write(p, raw.toBytes());
        assertThatThrownBy(() -> GgufFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("overlap.gguf")
                .hasMessageContaining("a.weight")
                .hasMessageContaining("b.weight")
                .hasMessageContaining("overlap");
    }

    @Test
    void aMetadataArrayLargerThanTheHeapCanHoldIsRefusedBeforeAllocating() throws Exception {
        long n = 2_000_000_000L; // INT32 values: 8 GB in a sparse file, more than the test heap
        var raw = new RawGguf()
                .header(3, 0, 1)
                .str("tokenizer.ggml.token_type")
                .i32(GgufType.ARRAY.code())
                .i32(GgufType.INT32.code())
                .i64(n);
        Path p = dir.resolve("huge-array.gguf");
        Files.write(p, raw.toBytes());
        try (var f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(raw.size() + 4 * n);
        }
        assertThatThrownBy(() -> GgufFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("huge-array.gguf")
                .hasMessageContaining("tokenizer.ggml.token_type")
                .hasMessageContaining("memory");
    }

    @Test
    void aBlockCountBelowTheBlocksInTheFileIsRefused() {
        Model src = GgufModelLoaderTest.synthetic("llama", RopeLayout.INTERLEAVED, false, null, 10000f);
        ModelConfig c = src.config();
        var oneLayer = new ModelConfig(
                c.architecture(),
                c.dim(),
                c.hiddenDim(),
                1,
                c.nHeads(),
                c.nKvHeads(),
                c.headDim(),
                c.vocabSize(),
                c.maxSeqLen(),
                c.rmsEps(),
                c.ropeTheta(),
                c.ropeLayout(),
                null,
                false,
                false);
        Path p = dir.resolve("truncated.gguf");
        GgufModelWriter.write(
                new Model(oneLayer, src.tensors(), Map.of(), null, src.source(), "t", "t", Map.of()), p, DType.F32);
        assertThatThrownBy(() -> GgufModelLoader.load(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("truncated.gguf")
                .hasMessageContaining("blk.1.")
                .hasMessageContaining("block_count is 1");
    }

    @Test
    void aKeyLengthThatDisagreesWithTheTensorsIsRefused() throws Exception {
        Model src = GgufModelLoaderTest.synthetic("llama", RopeLayout.INTERLEAVED, false, null, 10000f);
        Path p = dir.resolve("headdim.gguf");
        GgufModelWriter.write(src, p, DType.F32);
        // 4 heads of 16 in the tensors; declare 4 heads of 8 (and rope over 8) instead
        Path bad = dir.resolve("bad-headdim.gguf");
        var w = new GgufWriter();
        GgufFile g = GgufFile.open(p);
        for (var e : g.metadata().entrySet()) w.put(e.getKey(), e.getValue());
        w.putUint32("llama.attention.key_length", 8);
        w.putUint32("llama.rope.dimension_count", 8);
        for (var t : g.tensorInfos().values()) w.addTensor(t.name(), g.tensor(t.name()));
        w.write(bad);
        assertThatThrownBy(() -> GgufModelLoader.load(bad))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("bad-headdim.gguf")
                .hasMessageContaining("attn_q.weight");
    }
}
