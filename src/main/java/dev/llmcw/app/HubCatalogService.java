package dev.llmcw.app;

import dev.llmcw.data.HuggingFaceHub;
import dev.llmcw.data.ModelCatalog;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The model catalogue (dev.llmcw.data.ModelCatalog) downloaded from the Hugging Face Hub into the workbench home. */
public final class HubCatalogService implements CatalogService {
    private final Path modelsDir;

    public HubCatalogService(Path modelsDir) {
        this.modelsDir = modelsDir;
    }

    public static HubCatalogService standard() {
        return new HubCatalogService(WorkbenchHome.modelsDir());
    }

    @Override
    public List<Entry> entries() {
        return ModelCatalog.entries().stream()
                .map(e -> new Entry(
                        e.id(),
                        e.parameters() + " params · " + e.dtype() + " · " + e.repo()
                                + (e.gated() ? " · GATED (needs HF_TOKEN)" : ""),
                        e.approxBytes(),
                        e.licence(),
                        isDownloaded(e)))
                .toList();
    }

    private boolean isDownloaded(ModelCatalog.Entry e) {
        Path dir = modelsDir.resolve(e.id());
        if (!Files.isDirectory(dir)) return false;
        if (e.files() != null) return e.files().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
        return Files.isRegularFile(dir.resolve("config.json"));
    }

    /** Returns what to open: the folder (Hugging Face) or the checkpoint file (llama2.c). */
    @Override
    public Path download(String id, ProgressListener progress, CancellationToken cancel) {
        ModelCatalog.Entry e =
                ModelCatalog.find(id).orElseThrow(() -> new IllegalArgumentException("no catalogue model " + id));
        Path dir = modelsDir.resolve(e.id());
        HuggingFaceHub.standard().download(e, dir, progress, cancel);
        return e.format().equals("llama2c") && e.files() != null
                ? dir.resolve(e.files().getFirst())
                : dir;
    }
}
