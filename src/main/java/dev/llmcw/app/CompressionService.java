package dev.llmcw.app;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.model.Model;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Compression methods as the GUI sees them: which exist, what a setting costs, running one. */
public interface CompressionService {
    /** A method the Compress view offers; {@code available} is false until its implementation is in the build. */
    record MethodInfo(String name, String displayName, boolean available, String unavailableReason) {}

    List<MethodInfo> methods();

    /** Builds the configured method; throws NotAvailableException or IllegalArgumentException (bad parameter). */
    CompressionMethod create(CompressionSettings settings);

    default SizeEstimate estimate(CompressionSettings settings, Model model) {
        return create(settings).estimate(model);
    }

    default CompressionReport compress(
            CompressionSettings settings,
            Model model,
            Path out,
            Path workDir,
            ProgressListener progress,
            CancellationToken cancel)
            throws IOException {
        return create(settings).compress(model, out, workDir, progress, cancel);
    }
}
