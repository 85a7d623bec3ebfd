package dev.llmcw.app;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;

import java.nio.file.Path;
import java.util.List;

/** Model catalogue of this build. */
public final class DefaultCatalogService implements CatalogService {
    @Override
    public List<Entry> entries() {
        throw new NotAvailableException("The model catalogue and downloader (dev.llmcw.data) are not in this build yet.");
    }

    @Override
    public Path download(String id, ProgressListener progress, CancellationToken cancel) {
        throw new NotAvailableException("The model downloader (dev.llmcw.data) is not in this build yet.");
    }
}
