package dev.llmcw.model.load;

import dev.llmcw.model.CompressedModelFiles;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufFile;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.model.gguf.GgufTokenizers;
import dev.llmcw.model.hf.HfFolderLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tokenizer.Tokenizer;
import dev.llmcw.tokenizer.TokenizerFiles;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens any supported model by looking at what the path is: a Hugging Face folder (config.json), a
 * GGUF file (magic "GGUF"), a compressed-model safetensors file written by this workbench, or a
 * llama2.c checkpoint. Tokenizers are found beside the model unless one is given.
 */
public final class ModelLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    private ModelLoader() {}

    public static Model load(Path path) {
        return load(path, null);
    }

    /**
     * @param tokenizer explicit tokenizer file (tokenizer.json or a llama2.c tokenizer .bin), or null to
     *                  use the model's own (HF folder) or one found beside it (llama2.c). An explicit
     *                  tokenizer that cannot be read is an error; a failed auto-detection is only logged.
     */
    public static Model load(Path path, Path tokenizer) {
        return load(path, tokenizer, file -> CompressedModelFiles.load(file, Boolean.getBoolean("workbench.onTheFly")));
    }

    /** {@link #load(Path, Path)} with a compressed file's layers on the fly (true) or decoded to dense (false). */
    public static Model load(Path path, Path tokenizer, boolean onTheFly) {
        return load(path, tokenizer, file -> CompressedModelFiles.load(file, onTheFly));
    }

    /**
     * {@link #load(Path, Path)} for inference ({@code ppl}, {@code eval}, {@code bench}, {@code deployment},
     * the GUI): a compressed file's layers run on the fly from their stored form where its method's default
     * says so (RTN, GPTQ, AWQ, CALDERA, QuIP#), decoded to dense tensors otherwise (SeedLM);
     * {@code -Dworkbench.onTheFly=true|false} forces either for every method. Other commands (export,
     * fine-tuning, compression) keep {@link #load(Path, Path)}'s dense layers.
     */
    public static Model loadForInference(Path path, Path tokenizer) {
        return load(path, tokenizer, CompressedModelFiles::loadForInference);
    }

    private static Model load(Path path, Path tokenizer, Function<Path, Model> compressedReader) {
        if (!Files.exists(path)) throw new ModelLoadException(path, "no such file or folder");
        if (!Files.isDirectory(path)) requireRegularFile(path, "model");
        if (tokenizer != null && Files.exists(tokenizer) && !Files.isDirectory(tokenizer))
            requireRegularFile(tokenizer, "tokenizer");
        Model m;
        if (Files.isDirectory(path)) {
            if (!HfFolderLoader.isHfFolder(path)) {
                throw new ModelLoadException(path, "folder has no config.json (expected a Hugging Face model folder)");
            }
            // The folder's own tokenizer.json is part of the model: a broken one is an error.
            m = tokenizer != null ? HfFolderLoader.loadWithoutTokenizer(path) : HfFolderLoader.load(path);
        } else {
            m = switch (fileKind(path)) {
                case GGUF -> GgufModelLoader.load(path);
                case SAFETENSORS -> {
                    var st = SafetensorsFile.open(path);
                    if (!st.metadata().containsKey(CompressedModelFiles.KEY_METHOD)) {
                        throw new ModelLoadException(
                                path,
                                "a lone safetensors file has no config.json: open the Hugging Face folder that contains it");
                    }
                    // CompressedModels.load refuses non-finite float entries, however the file is opened
                    Model c = compressedReader.apply(path);
                    yield tokenizer == null ? withSourceTokenizer(c, path) : c;
                }
                case OTHER -> Llama2cLoader.load(path);
            };
            if (tokenizer == null && m.format().equals("llama2c")) m = withAutoDetectedTokenizer(m, path);
        }
        if (tokenizer != null) {
            Tokenizer tok = explicitTokenizer(tokenizer, m.config().vocabSize());
            tok.checkFits(tokenizer, m.config().vocabSize());
            m = m.withTokenizer(tok);
        }
        return m;
    }

    /**
     * A named pipe, a device or a socket given where a file is expected would block on the first read
     * (a FIFO waits for a writer forever) or never end (/dev/zero): refuse it before opening it.
     */
    public static void requireRegularFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(
                    file,
                    "not a regular file (a named pipe, device or socket?): a " + what + " must be a file or a folder");
        }
    }

    /**
     * A compressed model file records the tokenizer (or the source model) it was made from; use that
     * tokenizer when it is still there, and log a warning when it is not.
     */
    private static Model withSourceTokenizer(Model m, Path file) {
        String tok = m.metadata().getOrDefault(CompressedModelFiles.KEY_TOKENIZER, "");
        String src = m.metadata().getOrDefault(CompressedModelFiles.KEY_SOURCE, "");
        try {
            if (!tok.isBlank() && Files.exists(Path.of(tok))) {
                return m.withTokenizer(
                        explicitTokenizer(Path.of(tok), m.config().vocabSize()));
            }
            if (!src.isBlank() && Files.exists(Path.of(src))) {
                var source = load(Path.of(src));
                if (source.tokenizer() != null) return m.withTokenizer(source.tokenizer());
            }
        } catch (RuntimeException e) {
            LOG.warn("tokenizer of {} not loaded: {}", file.getFileName(), e.getMessage());
            return m;
        }
        LOG.warn(
                "{}: its source tokenizer ({}) is not available; pass --tokenizer",
                file.getFileName(),
                tok.isBlank() ? src : tok);
        return m;
    }

    private enum FileKind {
        GGUF,
        SAFETENSORS,
        OTHER
    }

    /** GGUF by its magic; safetensors by a plausible header length followed by '{'; anything else is llama2.c. */
    private static FileKind fileKind(Path file) {
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read: " + e.getMessage(), e);
        }
        if (n >= 4 && new String(head, 0, 4, StandardCharsets.US_ASCII).equals("GGUF")) return FileKind.GGUF;
        if (n == 9 && head[8] == '{') {
            long headerLen =
                    ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen > 1 && headerLen <= 100_000_000L) return FileKind.SAFETENSORS;
        }
        return FileKind.OTHER;
    }

    private static Tokenizer explicitTokenizer(Path tok, int vocabSize) {
        if (!Files.exists(tok)) throw new ModelLoadException(tok, "tokenizer file not found");
        String name = tok.getFileName().toString().toLowerCase();
        if (name.endsWith(".bin")) return TokenizerFiles.llama2c(tok, vocabSize);
        // tokenizer.json (+ tokenizer_config.json beside it), a GGUF file's vocabulary, or a folder.
        if (Files.isDirectory(tok) || name.endsWith(".json") || name.endsWith(".gguf")) return openTokenizer(tok);
        throw new ModelLoadException(
                tok, "unknown tokenizer format (expected tokenizer.json, a GGUF file or a llama2.c tokenizer .bin)");
    }

    /**
     * A llama2.c checkpoint has no tokenizer inside: use the one tokenizer.bin / tok*.bin beside it.
     * Zero or several candidates, or one that fails to load, leave the model without a tokenizer.
     */
    private static Model withAutoDetectedTokenizer(Model m, Path modelFile) {
        Path dir = modelFile.toAbsolutePath().getParent();
        List<Path> candidates = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith("tok")
                                && n.endsWith(".bin")
                                && Files.isRegularFile(p)
                                && !p.equals(modelFile.toAbsolutePath());
                    })
                    .sorted()
                    .forEach(candidates::add);
        } catch (IOException e) {
            LOG.warn("cannot list {} for a tokenizer: {}", dir, e.getMessage());
            return m;
        }
        if (candidates.size() != 1) {
            if (candidates.size() > 1) {
                LOG.warn(
                        "several tokenizers beside {} {}; none used (pass one explicitly)",
                        modelFile.getFileName(),
                        candidates.stream().map(p -> p.getFileName().toString()).toList());
            }
            return m;
        }
        try {
            Tokenizer tok =
                    TokenizerFiles.llama2c(candidates.getFirst(), m.config().vocabSize());
            tok.checkFits(candidates.getFirst(), m.config().vocabSize());
            return m.withTokenizer(tok);
        } catch (RuntimeException e) {
            LOG.warn("tokenizer {} not loaded: {}", candidates.getFirst(), e.getMessage());
            return m;
        }
    }

    /**
     * A tokenizer file of any kind the workbench reads: a GGUF file's metadata, a Hugging Face
     * tokenizer.json (or a folder holding it, or vocab.json + merges.txt), a llama2.c tokenizer .bin.
     */
    public static Tokenizer openTokenizer(Path path) {
        if (Files.isRegularFile(path) && GgufFile.isGguf(path)) return GgufTokenizers.fromMetadata(GgufFile.open(path));
        return TokenizerFiles.open(path);
    }
}
