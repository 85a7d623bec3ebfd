package dev.llmcw.compress.calibration;

import dev.llmcw.model.Model;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

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
        if (Calibration.hessianBytes(model.config(), 0, model.config().nLayers()) > Calibration.memoryBudget())
            return obtainStreamed(model, key, cache, progress, cancel, needAbsSums);
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

    /**
     * Statistics too large for the heap (a Llama-3.2-1B's are 10 GB): captured a few layers per pass, each
     * pass's groups written to the cache (a temporary one, deleted at exit, when there is none) and then
     * read back one group at a time. The sums are the same bits as a single pass's.
     */
    private HessianSet obtainStreamed(
            Model model,
            String key,
            HessianCache cache,
            ProgressListener progress,
            CancellationToken cancel,
            boolean needAbsSums)
            throws IOException {
        if (progress == null) progress = ProgressListener.NONE;
        if (cache == null) cache = new HessianCache(temporaryFolder());
        if (cache.has(key) && (!needAbsSums || cache.hasAbsSums(key))) {
            progress.log("calibration statistics from cache " + cache.folder(key) + ", read one group at a time");
            return cache.loadStreamed(key);
        }
        var c = model.config();
        int perPass = Calibration.layersPerPass(c, Calibration.memoryBudget());
        progress.log(String.format(
                Locale.ROOT,
                "calibration statistics of all %d layers need %,d MB, more than a quarter of the heap: %d layer(s)"
                        + " per pass, written to %s",
                c.nLayers(),
                Calibration.hessianBytes(c, 0, c.nLayers()) >> 20,
                perPass,
                cache.folder(key)));
        var seqs = Calibration.sequences(file, model.tokenizer(), count, length);
        List<String> keys = new ArrayList<>();
        for (int from = 0; from < c.nLayers(); from += perPass) {
            int to = Math.min(c.nLayers(), from + perPass);
            HessianSet part =
                    Calibration.capture(model, seqs, Calibration.ENGINE, describe(), progress, cancel, from, to);
            cache.saveGroups(key, part);
            keys.addAll(part.groupKeys());
            progress.log("calibration: layers " + from + ".." + (to - 1) + " of " + c.nLayers() + " captured");
        }
        cache.markComplete(key, keys, describe());
        return cache.loadStreamed(key);
    }

    /** A fresh temporary folder removed with its files when the JVM exits (its statistics are gigabytes). */
    private static Path temporaryFolder() throws IOException {
        Path dir = Files.createTempDirectory("llmcw-calibration");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // best effort: what is left stays in the system's temporary folder
            }
        }));
        return dir;
    }
}
