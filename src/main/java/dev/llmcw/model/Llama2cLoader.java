package dev.llmcw.model;

import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.MappedFile;
import dev.llmcw.util.ModelLoadException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Reads Karpathy's llama2.c checkpoint format (legacy version 0): 7 little-endian int32 header fields
 * (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; negative vocab means an
 * untied classifier stored at the end), then float32 tensors in a fixed order. Tensors are views of
 * the memory-mapped file and keep llama2.c's interleaved RoPE layout.
 */
public final class Llama2cLoader {
    private static final int HEADER_BYTES = 7 * 4;

    private Llama2cLoader() {}

    public static Model load(Path file) {
        MemorySegment seg = MappedFile.map(file);
        if (seg.byteSize() < HEADER_BYTES) {
            throw new ModelLoadException(
                    file, "file is " + seg.byteSize() + " bytes, shorter than the 28-byte llama2.c header");
        }
        var le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        int dim = seg.get(le, 0),
                hidden = seg.get(le, 4),
                nLayers = seg.get(le, 8),
                nHeads = seg.get(le, 12),
                nKv = seg.get(le, 16),
                vocabRaw = seg.get(le, 20),
                seqLen = seg.get(le, 24);
        boolean shared = vocabRaw > 0;
        int vocab = Math.abs(vocabRaw);
        if (dim <= 0
                || hidden <= 0
                || nLayers <= 0
                || nHeads <= 0
                || nKv <= 0
                || vocab <= 0
                || seqLen <= 0
                || dim % nHeads != 0
                || nHeads % nKv != 0
                || dim > 1 << 16
                || nLayers > 1024
                || vocab > 1 << 22) {
            throw new ModelLoadException(
                    file,
                    String.format(
                            "implausible llama2.c header (dim=%d hidden=%d layers=%d heads=%d kv_heads=%d vocab=%d seq_len=%d)",
                            dim, hidden, nLayers, nHeads, nKv, vocabRaw, seqLen));
        }
        int headDim = dim / nHeads;
        int kvDim = nKv * headDim;
        long L = nLayers;
        long floats = (long) vocab * dim
                + L * dim
                + L * dim * dim
                + 2 * L * dim * kvDim
                + L * dim * dim
                + L * dim
                + 3 * L * dim * hidden
                + dim
                + (long) seqLen * headDim; // freq_cis real+imag = seqLen*headDim/2*2
        long expected = HEADER_BYTES + 4 * (floats + (shared ? 0 : (long) vocab * dim));
        if (seg.byteSize() != expected) {
            throw new ModelLoadException(
                    file,
                    "size " + seg.byteSize() + " bytes does not match the header, which implies " + expected
                            + " bytes (dim=" + dim + ", layers=" + nLayers + ", vocab=" + vocabRaw + ")");
        }
        var cursor = new long[] {HEADER_BYTES};
        Map<String, Tensor> t = new HashMap<>();
        t.put(WeightNames.EMBED, take(seg, cursor, vocab, dim));
        perLayerVectors(seg, cursor, t, nLayers, dim, WeightNames::attnNorm);
        perLayer(seg, cursor, t, nLayers, dim, dim, WeightNames::q);
        perLayer(seg, cursor, t, nLayers, kvDim, dim, WeightNames::k);
        perLayer(seg, cursor, t, nLayers, kvDim, dim, WeightNames::v);
        perLayer(seg, cursor, t, nLayers, dim, dim, WeightNames::o);
        perLayerVectors(seg, cursor, t, nLayers, dim, WeightNames::ffnNorm);
        perLayer(seg, cursor, t, nLayers, hidden, dim, WeightNames::gate);
        perLayer(seg, cursor, t, nLayers, dim, hidden, WeightNames::down);
        perLayer(seg, cursor, t, nLayers, hidden, dim, WeightNames::up);
        t.put(WeightNames.FINAL_NORM, takeVector(seg, cursor, dim));
        cursor[0] += 4L * seqLen * headDim; // legacy freq_cis_real/imag: recomputed by the engine
        if (!shared) t.put(WeightNames.LM_HEAD, take(seg, cursor, vocab, dim));
        for (var e : t.entrySet()) FiniteWeights.check(file, e.getKey(), e.getValue());
        var config = new ModelConfig(
                "llama",
                dim,
                hidden,
                nLayers,
                nHeads,
                nKv,
                headDim,
                vocab,
                seqLen,
                1e-5f,
                10000f,
                RopeLayout.INTERLEAVED,
                null,
                shared,
                false);
        return new Model(
                config, t, Map.of(), null, file, "llama2c", file.getFileName().toString(), Map.of());
    }

    private static Tensor take(MemorySegment seg, long[] cursor, long rows, long cols) {
        long bytes = 4 * rows * cols;
        var t = new F32Tensor(new long[] {rows, cols}, seg.asSlice(cursor[0], bytes));
        cursor[0] += bytes;
        return t;
    }

    private static Tensor takeVector(MemorySegment seg, long[] cursor, long n) {
        var t = new F32Tensor(new long[] {n}, seg.asSlice(cursor[0], 4 * n));
        cursor[0] += 4 * n;
        return t;
    }

    private static void perLayer(
            MemorySegment seg,
            long[] cursor,
            Map<String, Tensor> t,
            int layers,
            int rows,
            int cols,
            IntFunction<String> name) {
        for (int i = 0; i < layers; i++) t.put(name.apply(i), take(seg, cursor, rows, cols));
    }

    private static void perLayerVectors(
            MemorySegment seg, long[] cursor, Map<String, Tensor> t, int layers, int n, IntFunction<String> name) {
        for (int i = 0; i < layers; i++) t.put(name.apply(i), takeVector(seg, cursor, n));
    }
}
