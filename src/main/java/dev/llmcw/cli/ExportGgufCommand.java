package dev.llmcw.cli;

import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.gguf.KQuantMix;
import dev.llmcw.model.gguf.LlamaImatrixFile;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tokenizer.TokenizerFiles;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "export-gguf",
        description =
                "Write a model as a llama.cpp-compatible GGUF file (F32, F16, BF16, Q8_0, Q4_0, or a llama-quantize"
                        + " type such as Q4_K_M).")
final class ExportGgufCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ExportGgufCommand.class);

    @Parameters(
            index = "0",
            description = "model: llama2.c file, Hugging Face folder, GGUF file or compressed model file")
    Path model;

    @Parameters(index = "1", description = "output .gguf file")
    Path out;

    @Option(
            names = "--type",
            defaultValue = "F32",
            description = "storage of 2-D weights: F32, F16, BF16, Q8_0, Q4_0 (every 2-D weight), or a llama-quantize"
                    + " type with its per-tensor mix: Q2_K, Q3_K_S, Q3_K_M, Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M,"
                    + " Q6_K, Q4_1, Q5_0, Q5_1, IQ4_NL (default ${DEFAULT-VALUE}). Weights already in a ggml block"
                    + " type (a kquant model) are written as they are.")
    String type;

    @Option(
            names = "--imatrix",
            description = "llama.cpp importance matrix (imatrix.dat from llama-imatrix): the llama-quantize types are"
                    + " quantized with its importance weights, as llama-quantize --imatrix does")
    Path imatrix;

    /** The tokenizer to embed when the model has none (e.g. tok512.bin for llama2.c models). */
    @Mixin
    TokenizerOption tokenizerOption = new TokenizerOption();

    @Override
    public Integer call() {
        Model m = ModelLoader.load(model);
        Path tokenizer = tokenizerOption.path();
        if (tokenizer != null) {
            m = m.withTokenizer(
                    tokenizer.getFileName().toString().endsWith(".bin")
                            ? TokenizerFiles.llama2c(tokenizer, m.config().vocabSize())
                            : ModelLoader.openTokenizer(tokenizer));
        }
        if (m.tokenizer() == null) LOG.warn("{}: no tokenizer; llama.cpp needs one (use --tokenizer)", model);
        DType plain = plainType(type);
        if (plain != null && imatrix != null)
            throw new IllegalArgumentException("--imatrix applies to the llama-quantize types (Q2_K … Q6_K, Q4_1, Q5_0,"
                    + " Q5_1, IQ4_NL), not to " + type.trim().toUpperCase(Locale.ROOT));
        if (plain != null) GgufModelWriter.write(m, out, plain);
        else
            GgufModelWriter.write(
                    m, out, KQuantMix.parse(type), imatrix == null ? null : LlamaImatrixFile.read(imatrix));
        System.out.printf(
                "wrote %s (%s, %,d bytes)%n",
                out, type.trim().toUpperCase(Locale.ROOT), out.toFile().length());
        return 0;
    }

    /** The types written uniformly to every 2-D weight, as before the llama-quantize types; null for a mix. */
    private static DType plainType(String text) {
        return switch (text.trim().toUpperCase(Locale.ROOT)) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "Q8_0" -> DType.Q8_0;
            case "Q4_0" -> DType.Q4_0;
            default -> null;
        };
    }
}
