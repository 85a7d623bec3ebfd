package dev.llmcw.model.gguf;

import dev.llmcw.tensor.DType;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * llama-quantize's file types (llama_ftype) and its per-tensor choices for Llama-architecture models
 * (llama_tensor_get_type in src/llama-quant.cpp): the base type of the mix, raised for attn_v, ffn_down and
 * attn_output in some layers, Q6_K for the output head, and the fallback to a 32-block type (or F16) when a
 * row is not a whole number of 256-value super-blocks. Mixture-of-experts, Falcon and 70B rules are left out.
 */
public enum KQuantMix {
    Q4_0(2, DType.Q4_0),
    Q4_1(3, DType.Q4_1),
    Q8_0(7, DType.Q8_0),
    Q5_0(8, DType.Q5_0),
    Q5_1(9, DType.Q5_1),
    Q2_K(10, DType.Q2_K),
    Q3_K_S(11, DType.Q3_K),
    Q3_K_M(12, DType.Q3_K),
    Q3_K_L(13, DType.Q3_K),
    Q4_K_S(14, DType.Q4_K),
    Q4_K_M(15, DType.Q4_K),
    Q5_K_S(16, DType.Q5_K),
    Q5_K_M(17, DType.Q5_K),
    Q6_K(18, DType.Q6_K),
    Q2_K_S(21, DType.Q2_K),
    IQ4_NL(25, DType.IQ4_NL);

    /** llama_ftype number, written as general.file_type. */
    public final int fileType;
    /** The type most tensors get (llama.cpp's default_type of the ftype). */
    public final DType base;

    KQuantMix(int fileType, DType base) {
        this.fileType = fileType;
        this.base = base;
    }

    /** What the rules look at besides the tensor: layer count, heads per KV head, tied embeddings, imatrix. */
    public record ModelShape(int nLayers, int nGqa, boolean tiedEmbeddings, boolean imatrix) {}

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\.(.+)");

    /** The mix by name ("q4_k_m"; "Q4_K", "Q3_K", "Q5_K" mean the _M mixes, as llama-quantize reads them). */
    public static KQuantMix parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        t = switch (t) {
            case "Q3_K", "Q4_K", "Q5_K" -> t + "_M";
            default -> t;
        };
        for (KQuantMix m : values()) if (m.name().equals(t)) return m;
        throw new IllegalArgumentException(
                "unknown llama.cpp quantization type '" + text.trim() + "'; known: " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    /**
     * The type llama-quantize gives the 2-D weight {@code ggufName} ("blk.3.attn_v.weight", "output.weight",
     * "token_embd.weight") whose rows hold {@code cols} values; {@code pure} is --pure (base type everywhere,
     * only the shape fallback applies). 1-D tensors and norms are never quantized (F32).
     */
    public DType typeFor(String ggufName, long cols, ModelShape m, boolean pure) {
        if (!ggufName.endsWith("weight") || ggufName.contains("_norm.weight")) return DType.F32;
        DType t = pure ? base : mixed(ggufName, cols, m);
        return fallback(t, cols);
    }

    private DType mixed(String name, long cols, ModelShape m) {
        boolean output = name.equals("output.weight") || (m.tiedEmbeddings() && name.equals("token_embd.weight"));
        if (output) {
            if (cols % base.blockSize() != 0) return DType.Q8_0;
            return base == DType.Q8_0 ? DType.Q8_0 : DType.Q6_K;
        }
        Matcher b = BLOCK.matcher(name);
        if (!b.matches()) return base; // token_embd (untied): the base type for these file types
        int layer = Integer.parseInt(b.group(1)), n = m.nLayers();
        return switch (b.group(2)) {
            case "attn_v.weight" -> attnV(layer, n, m);
            case "ffn_down.weight" -> ffnDown(layer, n, m);
            case "attn_output.weight" ->
                switch (this) {
                    case Q2_K -> DType.Q3_K;
                    case Q3_K_M -> DType.Q4_K;
                    case Q3_K_L -> DType.Q5_K;
                    default -> base;
                };
            default -> base;
        };
    }

    private DType attnV(int layer, int n, ModelShape m) {
        return switch (this) {
            case Q2_K -> m.nGqa() >= 4 ? DType.Q4_K : DType.Q3_K;
            case Q2_K_S -> m.nGqa() >= 4 ? DType.Q4_K : base;
            case Q3_K_M -> layer < 2 ? DType.Q5_K : DType.Q4_K;
            case Q3_K_L -> DType.Q5_K;
            case IQ4_NL -> m.nGqa() >= 4 ? DType.Q5_K : base;
            case Q4_K_M, Q5_K_M -> useMoreBits(layer, n) ? DType.Q6_K : base;
            case Q4_K_S -> layer < 4 ? DType.Q5_K : base;
            default -> base;
        };
    }

    private DType ffnDown(int layer, int n, ModelShape m) {
        return switch (this) {
            case Q2_K -> DType.Q3_K;
            case Q2_K_S -> layer < n / 8 ? DType.Q4_K : base;
            case Q3_K_M -> layer < n / 16 ? DType.Q5_K : DType.Q4_K; // non-Falcon: Q4_K past the first 1/16
            case Q3_K_L -> DType.Q5_K;
            case Q4_K_M, Q5_K_M -> useMoreBits(layer, n) ? DType.Q6_K : base;
            case IQ4_NL -> layer < n / 8 && !m.imatrix() ? DType.Q5_K : base;
            case Q4_K_S -> layer < n / 8 ? DType.Q5_K : base;
            case Q4_0 -> m.imatrix() && layer < n / 8 ? DType.Q4_1 : base;
            case Q5_0 -> m.imatrix() && layer < n / 8 ? DType.Q5_1 : base;
            default -> base;
        };
    }

    /** The first and last eighth of the layers, and every third layer between. */
    static boolean useMoreBits(int layer, int n) {
        return layer < n / 8 || layer >= 7 * n / 8 || (layer - n / 8) % 3 == 2;
    }

    /** tensor_type_fallback: a 256-block type on rows that are not whole super-blocks takes a 32-block type. */
    public static DType fallback(DType t, long cols) {
        if (cols % t.blockSize() == 0) return t;
        DType r = switch (t) {
            case Q2_K, Q3_K -> DType.Q4_0;
            case Q4_K -> DType.Q5_0;
            case Q5_K -> DType.Q5_1;
            case Q6_K -> DType.Q8_0;
            default -> t;
        };
        return cols % r.blockSize() == 0 ? r : DType.F16;
    }
}
