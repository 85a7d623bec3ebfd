package dev.llmcw.app;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.data.DatasetCatalog;
import dev.llmcw.suite.SuiteMethods;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The compression methods of this build, built by {@link SuiteMethods} (the one factory suites use,
 * with the same parameter names) from the Compress view's parameters. CALDERA and GPTQ calibrate on
 * the text file given, else on the TinyStories text the dataset catalogue finds (download, shared
 * data or the repository sample).
 */
public final class DefaultCompressionService implements CompressionService {
    @Override
    public List<MethodInfo> methods() {
        return List.of(
                new MethodInfo("seedlm", "SeedLM", true, ""),
                new MethodInfo("caldera", "CALDERA", true, ""),
                new MethodInfo("rtn", "RTN", true, ""),
                new MethodInfo("gptq", "GPTQ", true, ""));
    }

    @Override
    public CompressionMethod create(CompressionSettings settings) {
        var params = new LinkedHashMap<>(settings.parameters());
        if ((settings.method().equals("caldera") || settings.method().equals("gptq")) && !params.containsKey("calib")) {
            Path text = DatasetCatalog.standard().locate("tinystories").map(DatasetCatalog.LocalDataset::file)
                    .orElseThrow(() -> new IllegalArgumentException("no calibration text found: choose a calibration file"));
            params.put("calib", text.toAbsolutePath().toString());
        }
        return SuiteMethods.create(settings.method(), params, Path.of("").toAbsolutePath());
    }
}
