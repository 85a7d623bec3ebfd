package dev.llmcw.compress;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.FiniteWeights;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Opens compressed model files written by any {@link CompressionMethod}: reads "__metadata__", rebuilds the
 * {@link ModelConfig}, loads the kept tensors and asks the method's registered {@link CompressedFormat} for
 * the linear layers. Also holds the metadata every method writes, so all files carry the same provenance.
 *
 * <p>Naming convention for all methods: a compressed weight N is stored as entries named
 * {@code N.<method>.<part>}; every float entry (F32/F16/BF16) without such a part is a kept tensor.
 */
public final class CompressedModels {
    private CompressedModels() {}

    /** The reader of {@code method}'s files ({@link MethodDescriptor#format()}), or null for an unknown method. */
    public static CompressedFormat format(String method) {
        return MethodRegistry.format(method);
    }

    /** Whether {@code file} is a safetensors file with a workbench method in its metadata. */
    public static boolean isCompressedModel(Path file) {
        if (!Files.isRegularFile(file)) return false;
        try {
            return SafetensorsFile.open(file).metadata().containsKey(CompressedFormat.KEY_METHOD);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** -Dworkbench.onTheFly=true|false: every method on the fly, or every method decoded to dense tensors. */
    public static final String ON_THE_FLY_PROPERTY = "workbench.onTheFly";

    /** Label (as runs record it) of the kernels that run a model's layers. */
    public static final String ON_THE_FLY = "on-the-fly", DENSE = "dense";

    /**
     * Loads a compressed model file.
     *
     * @param onTheFly decode weights inside the matvec (true) or once into dense tensors (false)
     */
    public static Model load(Path file, boolean onTheFly) {
        return load(file, method -> onTheFly);
    }

    /**
     * Loads a compressed model file the way inference runs it: each method's layers on the fly or dense as
     * {@link #runsOnTheFly(String)} says.
     */
    public static Model loadForInference(Path file) {
        return load(file, CompressedModels::runsOnTheFly);
    }

    /**
     * Whether inference runs {@code method}'s layers on the fly: {@value #ON_THE_FLY_PROPERTY} when set, else
     * the method's own default ({@link CompressedFormat#runsOnTheFlyByDefault()}).
     */
    public static boolean runsOnTheFly(String method) {
        String forced = System.getProperty(ON_THE_FLY_PROPERTY);
        if (forced != null && !forced.isBlank()) return Boolean.parseBoolean(forced.trim());
        CompressedFormat fmt = format(method);
        return fmt == null || fmt.runsOnTheFlyByDefault();
    }

    /**
     * {@value #ON_THE_FLY} when some layer of a loaded model runs from a compressed form (not a dense
     * tensor), else {@value #DENSE}: the code path a run records.
     */
    public static String codePath(Model m) {
        return m.linears().values().stream().anyMatch(l -> !(l instanceof DenseLinear)) ? ON_THE_FLY : DENSE;
    }

    private static Model load(Path file, Predicate<String> onTheFlyFor) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, String> md = f.metadata();
        String method = md.get(CompressedFormat.KEY_METHOD);
        if (method == null)
            throw new ModelLoadException(
                    file, "not a compressed model: __metadata__ has no " + CompressedFormat.KEY_METHOD);
        CompressedFormat fmt = format(method);
        if (fmt == null)
            throw new ModelLoadException(
                    file, "unknown compression method '" + method + "' (known: " + MethodRegistry.ids() + ")");
        boolean onTheFly = onTheFlyFor.test(method);
        String cfgJson = md.get(CompressedFormat.KEY_CONFIG);
        if (cfgJson == null) throw new ModelLoadException(file, "__metadata__ has no " + CompressedFormat.KEY_CONFIG);
        ModelConfig config;
        try {
            config = Json.read(cfgJson, ModelConfig.class);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file, "bad model config in metadata: " + e.getMessage(), e);
        }
        checkFloatEntries(f);
        String part = "." + method + ".";
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : f.entries().values()) {
            if (e.name().contains(part)) continue;
            switch (e.dtype()) {
                case "F32", "F16", "BF16" -> tensors.put(e.name(), f.tensor(e.name()));
                default ->
                    throw new ModelLoadException(
                            file,
                            "tensor " + e.name() + " has dtype " + e.dtype() + " but is not part of a " + method
                                    + " weight");
            }
        }
        Map<String, Linear> linears;
        try {
            tensors.putAll(fmt.storedWeights(f, config));
            linears = fmt.linears(f, config, onTheFly);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file, e.getMessage(), e);
        }
        String label =
                file.getFileName() + " (" + method + " " + md.getOrDefault(CompressedFormat.KEY_PARAMS, "") + ")";
        return new Model(config, tensors, linears, null, file, method, label, md);
    }

    /**
     * Every float entry of a compressed file (kept tensors, scales, low-rank factors) must be finite: checked
     * here, where every way of opening the file passes (ModelLoader, caldera-quality, the GUI's lookups).
     */
    private static void checkFloatEntries(SafetensorsFile f) {
        for (var e : f.entries().values()) {
            DType t = SafetensorsFile.floatType(e.dtype());
            if (t != null) FiniteWeights.check(f.path(), e.name(), t, f.bytes(e.name()));
        }
    }

    /** The metadata every compressed model file carries. */
    public static Map<String, String> metadata(String method, Map<String, ?> params, Model source, Path tokenizer) {
        var md = new LinkedHashMap<String, String>();
        md.put(CompressedFormat.KEY_METHOD, method);
        md.put(CompressedFormat.KEY_PARAMS, Json.write(params));
        md.put(CompressedFormat.KEY_CONFIG, Json.write(source.config()));
        md.put(
                CompressedFormat.KEY_SOURCE,
                source.source() == null
                        ? ""
                        : source.source().toAbsolutePath().normalize().toString());
        md.put(CompressedFormat.KEY_SOURCE_HASH, source.source() == null ? "" : sourceHash(source.source()));
        md.put(
                CompressedFormat.KEY_TOKENIZER,
                tokenizer == null
                        ? source.metadata().getOrDefault(CompressedFormat.KEY_TOKENIZER, "")
                        : tokenizer.toAbsolutePath().normalize().toString());
        md.put(CompressedFormat.KEY_CODE_VERSION, BuildInfo.version());
        return md;
    }

    /** sha256 of a model file; for a folder, sha256 over "name sha256" lines of its *.safetensors in name order. */
    public static String sourceHash(Path source) {
        if (!Files.isDirectory(source)) return Hashing.sha256(source);
        try (Stream<Path> s = Files.list(source)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .sorted()
                    .toList();
            StringBuilder sb = new StringBuilder();
            for (Path p : files)
                sb.append(p.getFileName()).append(' ').append(Hashing.sha256(p)).append('\n');
            return Hashing.sha256(sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + source + ": " + e.getMessage(), e);
        }
    }

    /** The compression method a loaded model's file records, or null for an uncompressed model. */
    public static String method(Model m) {
        String method = m.metadata().get(CompressedFormat.KEY_METHOD);
        return method == null || method.isBlank() ? null : method;
    }

    /** The method parameters a loaded compressed model's file records, as text ("C" → "8"); empty if none. */
    public static Map<String, String> params(Model m) {
        String json = m.metadata().get(CompressedFormat.KEY_PARAMS);
        if (method(m) == null || json == null) return Map.of();
        var out = new TreeMap<String, String>();
        parseParams(json, m.source()).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /** Reads the method parameters JSON of a compressed file. */
    public static Map<String, Object> params(SafetensorsFile f) {
        String json = f.metadata().get(CompressedFormat.KEY_PARAMS);
        if (json == null) throw new ModelLoadException(f.path(), "__metadata__ has no " + CompressedFormat.KEY_PARAMS);
        return parseParams(json, f.path());
    }

    private static Map<String, Object> parseParams(String json, Path file) {
        try {
            return Json.MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {});
        } catch (Exception e) {
            throw new ModelLoadException(file, "bad " + CompressedFormat.KEY_PARAMS + ": " + e.getMessage(), e);
        }
    }
}
