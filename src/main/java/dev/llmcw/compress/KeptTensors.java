package dev.llmcw.compress;

import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one policy for the tensors a method does not compress (embeddings, norms, output head): every method
 * stores them in the float type the user picks ({@code keep_dtype}, default BF16), so whole-model bits per
 * weight compare like for like. Before this, SeedLM kept BF16 and the others F32, which biased the totals.
 * The type is recorded as {@code keep_dtype} in the method's parameters (file metadata, results, labels).
 */
public final class KeptTensors {
    private KeptTensors() {}

    public static final String KEY = "keep_dtype";

    public static final MethodParameter PARAMETER = MethodParameter.choice(
                    KEY,
                    "Kept tensors",
                    "bf16",
                    "float type of the tensors not compressed (embeddings, norms, output head), the same for every method",
                    "bf16",
                    "f16",
                    "f32")
            .asAdvanced();

    /** The default policy: BF16. */
    public static final DType DEFAULT = DType.BF16;

    /** "bf16" → BF16; one sentence naming the knob otherwise. */
    public static DType parse(String text) {
        if (text == null || text.isBlank()) return DEFAULT;
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default ->
                throw new IllegalArgumentException(KEY + " must be one of bf16, f16, f32, not '" + text.trim() + "'");
        };
    }

    /** The knob's value as recorded ("bf16"). */
    public static String id(DType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    /** The type the arguments choose. */
    public static DType of(MethodArguments args) {
        return parse(args.text(KEY));
    }

    /** The type recorded in a method's parameters; files from before the policy say nothing, and their type is the stored one. */
    public static DType recorded(Map<String, ?> params) {
        Object v = params.get(KEY);
        return v == null ? null : parse(String.valueOf(v));
    }

    /** " kept bf16" for a label when the parameters record the policy, else "" (results from before it). */
    public static String labelSuffix(Map<String, String> params) {
        String v = params.get(KEY);
        return v == null ? "" : " kept " + v;
    }

    /**
     * Adds every tensor of {@code model} not in {@code compressed} as {@code type}, in name order; returns their
     * bytes. The bytes are produced while the file is written (copied or converted chunk by chunk from the
     * model's mapped storage), so a 0.5 GB embedding never sits on the heap beside the compressed tensors.
     */
    public static long add(SafetensorsWriter w, Model model, Set<String> compressed, DType type) {
        long bytes = 0;
        for (var e : new TreeMap<>(model.tensors()).entrySet()) {
            if (compressed.contains(e.getKey())) continue;
            Tensor t = e.getValue();
            w.add(e.getKey(), type, t);
            bytes += type.bytesFor(t.numel());
        }
        return bytes;
    }

    /** Bytes the kept tensors take as {@code type} (for estimates); equals what {@link #add} returns. */
    public static long bytes(Model model, Set<String> compressed, DType type) {
        long bytes = 0;
        for (var e : model.tensors().entrySet()) {
            if (!compressed.contains(e.getKey()))
                bytes += type.bytesFor(e.getValue().numel());
        }
        return bytes;
    }
}
