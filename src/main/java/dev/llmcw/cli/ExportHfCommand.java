package dev.llmcw.cli;

import dev.llmcw.model.Model;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.hf.HfFolderWriter;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes any loadable model as a Hugging Face folder (e.g. to check it with transformers or lm-eval). */
@Command(
        name = "export-hf",
        mixinStandardHelpOptions = true,
        description =
                "Write a model (llama2.c, HF, compressed: densified) as a Hugging Face folder that transformers loads.")
public final class ExportHfCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "model file or folder")
    Path model;

    @Mixin
    OutFolderOption out = new OutFolderOption();

    @Option(names = "--dtype", defaultValue = "f32", description = "f32, f16 or bf16 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--tokenizer-json", description = "tokenizer.json to copy into the folder")
    Path tokenizerJson;

    @Option(names = "--synthetic", description = "mark the folder as synthetic")
    boolean synthetic;

    @Override
    public Integer call() throws Exception {
        DType type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be f32, f16 or bf16, not " + dtype);
        };
        Model m = ModelLoader.load(model);
        HfFolderWriter.write(m, out.dir(), new HfFolderWriter.Options(type, synthetic, tokenizerJson));
        System.out.printf(
                "wrote %s (%s, %s%s)%n",
                out.dir(),
                m.label(),
                type,
                m.config().ropeLayout() == RopeLayout.INTERLEAVED ? ", q/k permuted to rotate-half RoPE" : "");
        return 0;
    }
}
