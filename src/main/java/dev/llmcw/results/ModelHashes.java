package dev.llmcw.results;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content hashes of model weights, the identity that cache keys use: results are tied to the bytes
 * of the weights, not to a path. Hashing multi-GB files takes seconds to minutes, so per-file
 * hashes are cached in a JSON sidecar keyed by (absolute path, size, modification time, file key);
 * a file that changes in any of these is hashed again.
 *
 * <p>Which files count as weights: a single file (llama2.c .bin, .gguf, compressed .safetensors)
 * is itself; a Hugging Face folder is its {@code *.safetensors} sorted by name (else {@code *.gguf},
 * else {@code *.bin}). Config and tokenizer files are not weights and are not hashed. The hash of a
 * single file is its plain sha256 (comparable with published checksums); the hash of a folder is
 * the sha256 of "name\tsha256\n" lines of its weight files.
 */
public final class ModelHashes {
    private static final Logger LOG = LoggerFactory.getLogger(ModelHashes.class);

    private static volatile ModelHashes defaultInstance;

    private final Path cacheFile;
    private final Map<String, Entry> cache = new HashMap<>();

    record Entry(long size, String mtime, String fileKey, String sha256) {}

    public ModelHashes(Path cacheFile) {
        this.cacheFile = cacheFile;
        if (cacheFile != null && Files.isRegularFile(cacheFile)) {
            try {
                cache.putAll(Json.MAPPER.readValue(cacheFile.toFile(), new TypeReference<Map<String, Entry>>() {}));
            } catch (IOException e) {
                // A damaged cache only costs re-hashing; it must never block loading a model.
                LOG.warn("ignoring unreadable hash cache {}: {}", cacheFile, e.getMessage());
            }
        }
    }

    /** The shared instance caching in {@code WorkbenchHome.dir()/file-hashes.json}. */
    public static ModelHashes shared() {
        if (defaultInstance == null) {
            synchronized (ModelHashes.class) {
                if (defaultInstance == null)
                    defaultInstance = new ModelHashes(WorkbenchHome.dir().resolve("file-hashes.json"));
            }
        }
        return defaultInstance;
    }

    /** Content hash of a model's weights (cached). */
    public static String contentHash(Path modelPath) {
        return shared().hash(modelPath);
    }

    public String hash(Path modelPath) {
        List<Path> files = weightFiles(modelPath);
        if (Files.isRegularFile(modelPath)) return fileHash(files.getFirst());
        var sb = new StringBuilder();
        for (Path f : files)
            sb.append(f.getFileName()).append('\t').append(fileHash(f)).append('\n');
        return Hashing.sha256(sb.toString());
    }

    /** The files whose bytes define the model, in hashing order. */
    public static List<Path> weightFiles(Path modelPath) {
        if (Files.isRegularFile(modelPath)) return List.of(modelPath);
        if (!Files.isDirectory(modelPath))
            throw new IllegalArgumentException(modelPath + ": no such model file or folder");
        for (String ext : List.of(".safetensors", ".gguf", ".bin")) {
            List<Path> found = new ArrayList<>();
            try (Stream<Path> s = Files.list(modelPath)) {
                s.filter(p -> Files.isRegularFile(p)
                                && p.getFileName()
                                        .toString()
                                        .toLowerCase(Locale.ROOT)
                                        .endsWith(ext))
                        .sorted()
                        .forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(modelPath + ": cannot list folder: " + e.getMessage(), e);
            }
            if (!found.isEmpty()) return found;
        }
        throw new IllegalArgumentException(modelPath + ": folder has no weight files (*.safetensors, *.gguf, *.bin)");
    }

    /** sha256 of one file, from the cache when its size, mtime and file key are unchanged. */
    public synchronized String fileHash(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(abs, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new UncheckedIOException(abs + ": cannot read file attributes: " + e.getMessage(), e);
        }
        String mtime = a.lastModifiedTime().toString();
        String fileKey = a.fileKey() == null ? "" : a.fileKey().toString();
        Entry e = cache.get(abs.toString());
        if (e != null
                && e.size() == a.size()
                && e.mtime().equals(mtime)
                && e.fileKey().equals(fileKey)) return e.sha256();
        String sha = Hashing.sha256(abs);
        cache.put(abs.toString(), new Entry(a.size(), mtime, fileKey, sha));
        persist();
        return sha;
    }

    private void persist() {
        if (cacheFile == null) return;
        try {
            AtomicFiles.writeString(cacheFile, Json.write(cache));
        } catch (IOException ex) {
            LOG.warn("cannot write hash cache {}: {}", cacheFile, ex.getMessage());
        }
    }
}
