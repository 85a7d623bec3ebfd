package dev.llmcw.compress.calibration;

import dev.llmcw.model.Model;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where calibration statistics come from: a text file tokenised by the model's tokenizer, cut into
 * {@code count} sequences of {@code length} tokens, cached under {@code cacheDir} by (model hash,
 * file hash, N, L). {@link #precomputed} wraps statistics computed elsewhere (tests, benches).
 */
public record CalibrationSpec(Path file, int count, int length, Path cacheDir, HessianSet precomputed) {
    public static CalibrationSpec of(Path file, int count, int length, Path cacheDir) {
        return new CalibrationSpec(file, count, length, cacheDir, null);
    }

    public static CalibrationSpec precomputed(HessianSet set) {
        return new CalibrationSpec(null, 0, 0, null, set);
    }

    public String describe() {
        return precomputed != null
                ? precomputed.description()
                : file.getFileName() + ", " + count + " × " + length + " tokens";
    }

    /** What the cache key names the model by: its file's SHA-256, or its label when it is not one file. */
    public static String modelHash(Model model) {
        return model.source() != null && Files.isRegularFile(model.source())
                ? Hashing.sha256(model.source())
                : model.label();
    }

    /**
     * The content address of these statistics for the model whose hash is {@code modelHash} ({@link
     * HessianCache#key}), or null for precomputed ones.
     */
    public String cacheKey(String modelHash) {
        return precomputed != null ? null : HessianCache.key(modelHash, Hashing.sha256(file), count, length);
    }

    /** The folder these statistics are cached in for {@code modelHash} (null: not cached). */
    public Path cacheFolder(String modelHash) {
        return cacheDir == null || precomputed != null ? null : new HessianCache(cacheDir).folder(cacheKey(modelHash));
    }

    /** Whether the statistics for {@code model} are in the cache, complete (precomputed ones always are). */
    public boolean isCached(Model model) {
        if (precomputed != null) return true;
        return cacheDir != null && new HessianCache(cacheDir).has(cacheKey(modelHash(model)));
    }

    public HessianSet obtain(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {
        return obtain(model, progress, cancel, false);
    }

    /**
     * @param needAbsSums the caller reads Σ|x| per channel (AWQ): a cache written without it is computed again
     *     (and rewritten with it)
     */
    public HessianSet obtain(Model model, ProgressListener progress, CancellationToken cancel, boolean needAbsSums)
            throws IOException {
        if (precomputed != null) {
            if (needAbsSums && !precomputed.hasAbsSums())
                throw new IllegalArgumentException(
                        "the given calibration statistics hold no mean |x| per channel, which this method needs");
            return precomputed;
        }
        if (model.tokenizer() == null)
            throw new IllegalArgumentException(
                    "calibration needs the model's tokenizer (none loaded for " + model.source() + ")");
        String key = cacheKey(modelHash(model));
        HessianCache cache = cacheDir == null ? null : new HessianCache(cacheDir);
        if (cache != null && cache.has(key)) {
            HessianSet cached = cache.load(key);
            if (!needAbsSums || cached.hasAbsSums()) {
                if (progress != null) progress.log("calibration statistics from cache " + cache.folder(key));
                return cached;
            }
            if (progress != null)
                progress.log(
                        "calibration cache " + cache.folder(key) + " has no mean |x| per channel; computing again");
        }
        var seqs = Calibration.sequences(file, model.tokenizer(), count, length);
        HessianSet set = Calibration.capture(model, seqs, Calibration.ENGINE, describe(), progress, cancel);
        if (cache != null) cache.save(key, set);
        return set;
    }
}
