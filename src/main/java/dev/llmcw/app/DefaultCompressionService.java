package dev.llmcw.app;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.data.DatasetCatalog;
import dev.llmcw.suite.SuiteMethods;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The compression methods of this build ({@link MethodRegistry}), built by {@link SuiteMethods} (the one
 * factory suites use, with the same parameter names) from the Compress view's parameters. Methods that
 * calibrate (CALDERA, GPTQ) use the text file given, else the TinyStories text the dataset catalogue finds
 * (download, shared data or the repository sample).
 */
public final class DefaultCompressionService implements CompressionService {
    @Override
    public List<MethodInfo> methods() {
        return MethodRegistry.all().stream()
                .map(d -> new MethodInfo(d.id(), d.displayName(), true, ""))
                .toList();
    }

    @Override
    public CompressionMethod create(CompressionSettings settings) {
        var params = new LinkedHashMap<>(settings.parameters());
        boolean calibrates = MethodRegistry.find(settings.method())
                .map(MethodDescriptor::needsCalibration)
                .orElse(false);
        if (calibrates && !params.containsKey("calib")) {
            Path text = DatasetCatalog.standard()
                    .locate("tinystories")
                    .map(DatasetCatalog.LocalDataset::file)
                    .orElseThrow(
                            () -> new IllegalArgumentException("no calibration text found: choose a calibration file"));
            params.put("calib", text.toAbsolutePath().toString());
        }
        return SuiteMethods.create(settings.method(), params, Path.of("").toAbsolutePath());
    }
}
