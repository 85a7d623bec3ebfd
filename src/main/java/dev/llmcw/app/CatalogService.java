package dev.llmcw.app;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.List;

/** The downloadable model catalogue. */
public interface CatalogService {
    record Entry(String id, String description, long bytes, String licence, boolean downloaded) {}

    List<Entry> entries();

    /** Downloads (resuming) and returns the local path to open. */
    Path download(String id, ProgressListener progress, CancellationToken cancel);
}
