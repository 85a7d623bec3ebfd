package dev.llmcw.cli;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.synthetic.SyntheticModelGenerator;
import dev.llmcw.model.synthetic.SyntheticPresets;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a synthetic (random-weight) Llama model as a Hugging Face folder. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description =
                "Write a synthetic Llama model (deterministic random weights, marked SYNTHETIC) as a Hugging Face folder.")
public final class SynthCommand implements Callable<Integer> {
    @Option(
            names = "--preset",
            description = "smollm2-135m, llama-3.2-1b, tiny or demo (default: tiny when only custom sizes are given)")
    String preset;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", description = "output folder (default: ./synthetic-<preset>)")
    Path out;

    @Option(names = "--dim", description = "hidden size")
    Integer dim;

    @Option(names = "--hidden", description = "MLP intermediate size")
    Integer hidden;

    @Option(names = "--layers", description = "number of blocks")
    Integer layers;

    @Option(names = "--heads", description = "attention heads")
    Integer heads;

    @Option(names = "--kv-heads", description = "key/value heads")
    Integer kvHeads;

    @Option(names = "--vocab", description = "vocabulary size (at least 258)")
    Integer vocab;

    @Override
    public Integer call() throws Exception {
        boolean custom =
                dim != null || hidden != null || layers != null || heads != null || kvHeads != null || vocab != null;
        String base = preset != null ? preset : "tiny";
        ModelConfig config =
                SyntheticPresets.customize(SyntheticPresets.get(base), dim, hidden, layers, heads, kvHeads, vocab);
        String name = base + (custom ? "-custom" : "");
        DType type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, not " + dtype);
        };
        Path dir = out != null ? out : Path.of("synthetic-" + name);
        long t0 = System.nanoTime();
        var result = SyntheticModelGenerator.generate(
                config,
                name,
                type,
                seed,
                dir,
                (stage, done, total, msg) -> {
                    if (total > 0 && (done == total || done % 20 == 0))
                        System.err.printf("\r%s: %d/%d tensors", stage, done, total);
                },
                CancellationToken.none());
        double secs = (System.nanoTime() - t0) / 1e9;
        System.err.println();
        System.out.printf(
                "wrote %s: %s, %,d parameters, model.safetensors %,d bytes (%s), seed %d, %.1f s%n",
                result.dir(), name, result.parameters(), result.weightFileBytes(), type, seed, secs);
        return 0;
    }
}
