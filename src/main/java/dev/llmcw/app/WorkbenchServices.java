package dev.llmcw.app;

import dev.llmcw.data.DatasetCatalog;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.util.DataPaths;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything the view models call, in one place so tests can swap any part. {@code workspace} holds
 * compressed models, work folders and calibration caches.
 */
public record WorkbenchServices(
        Path workspace,
        ModelService models,
        CompressionService compression,
        EvaluationService evaluation,
        ResultsService results,
        CatalogService catalog,
        SuiteService suites) {

    /** Without a suite service of its own: suites run into the results store when there is one (see {@link DefaultSuiteService}). */
    public WorkbenchServices(
            Path workspace,
            ModelService models,
            CompressionService compression,
            EvaluationService evaluation,
            ResultsService results,
            CatalogService catalog) {
        this(
                workspace,
                models,
                compression,
                evaluation,
                results,
                catalog,
                new DefaultSuiteService(results instanceof StoreResultsService s ? s.store() : null, defaultDataDir()));
    }

    /** The real services with the user's results database ($WORKBENCH_HOME/results.db, shared with the CLI). */
    public static WorkbenchServices create(Path workspace) {
        return create(workspace, WorkbenchHome.resultsDb());
    }

    /** The real services of this build; {@code resultsDb} null keeps results in memory for the session. */
    public static WorkbenchServices create(Path workspace, Path resultsDb) {
        ResultsStore store = resultsDb == null ? null : ResultsStore.open(resultsDb);
        Path data = defaultDataDir();
        var eval = new EngineEvaluationService(store, data);
        ResultsService results = store == null
                ? new SessionResultsService(eval::items)
                : new StoreResultsService(store, eval::items, data);
        return new WorkbenchServices(
                workspace,
                new DefaultModelService(),
                new DefaultCompressionService(),
                eval,
                results,
                HubCatalogService.standard(),
                new DefaultSuiteService(store, data));
    }

    /** Evaluation data: the shared data when present (full sets), else the repository's samples. */
    public static Path defaultDataDir() {
        Path shared = DataPaths.shared("datasets");
        if (Files.isDirectory(shared)) return shared;
        return samplesDir();
    }

    /** The repository's datasets/ folder with the small sample files (the DEMO workspace uses these). */
    public static Path samplesDir() {
        return DatasetCatalog.repositoryDatasetsDir().orElse(null);
    }

    /** ~/.llm-compression-workbench (or -Dworkbench.workspace). */
    public static Path defaultWorkspace() {
        String p = System.getProperty("workbench.workspace");
        return p != null && !p.isBlank()
                ? Path.of(p)
                : Path.of(System.getProperty("user.home"), ".llm-compression-workbench");
    }

    public WorkbenchServices withResults(ResultsService r) {
        return new WorkbenchServices(workspace, models, compression, evaluation, r, catalog, suites);
    }

    public WorkbenchServices withSuites(SuiteService s) {
        return new WorkbenchServices(workspace, models, compression, evaluation, results, catalog, s);
    }
}
