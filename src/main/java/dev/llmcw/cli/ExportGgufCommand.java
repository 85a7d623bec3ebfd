package dev.llmcw.cli;

import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tokenizer.TokenizerFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "export-gguf",
        description = "Write a model as a llama.cpp-compatible GGUF file (F32, F16, BF16, Q8_0 or Q4_0).")
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
            description = "storage of 2-D weights: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    DType type;

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
        GgufModelWriter.write(m, out, type);
        System.out.printf("wrote %s (%s, %,d bytes)%n", out, type, out.toFile().length());
        return 0;
    }
}
