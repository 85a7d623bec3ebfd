package dev.llmcw.eval;

import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Opening a model file/folder as a {@link ScoringModel} (engine + tokenizer + content fingerprint). */
public final class ScoringModels {
    private ScoringModels() {}

    /** @param tokenizer explicit tokenizer file or null (the model's own / one found beside it) */
    public static ScoringModel load(Path modelPath, Path tokenizer) {
        Model m = ModelLoader.loadForInference(modelPath, tokenizer);
        return of(m, fingerprint(modelPath, tokenizer));
    }

    public static ScoringModel of(Model m, String fingerprint) {
        if (m.tokenizer() == null)
            throw new ModelLoadException(m.source(), "no tokenizer found for the model; pass one with --tokenizer");
        return new ScoringModel(m.label(), fingerprint, new LlamaEngine(m), m.tokenizer());
    }

    /**
     * SHA-256 over the model's bytes (a file, or every file of a folder with its relative name) and the
     * explicit tokenizer file if any: the content identity used in run keys. A tokenizer found
     * automatically beside a llama2.c file is not covered (its folder is not hashed).
     */
    public static String fingerprint(Path modelPath, Path tokenizer) {
        MessageDigest md = Hashing.sha256();
        try {
            if (Files.isDirectory(modelPath)) {
                List<Path> files;
                try (Stream<Path> s = Files.walk(modelPath)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    md.update(modelPath.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                    md.update(Hashing.sha256(f).getBytes(StandardCharsets.US_ASCII));
                }
            } else {
                md.update(Hashing.sha256(modelPath).getBytes(StandardCharsets.US_ASCII));
            }
            if (tokenizer != null) {
                md.update((byte) 0);
                md.update(Hashing.sha256(tokenizer).getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + modelPath + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
