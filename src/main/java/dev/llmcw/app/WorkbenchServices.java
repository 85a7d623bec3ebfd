package dev.llmcw.app;

import java.nio.file.Path;

/**
 * Everything the view models call, in one place so tests can swap any part. {@code workspace} holds
 * compressed models, work folders and the results store.
 */
public record WorkbenchServices(Path workspace, ModelService models, CompressionService compression,
                                EvaluationService evaluation, ResultsService results, CatalogService catalog) {

    /** The real services of this build for a workspace folder. */
    public static WorkbenchServices create(Path workspace) {
        return new WorkbenchServices(workspace, new DefaultModelService(), new DefaultCompressionService(),
                new DefaultEvaluationService(), new SessionResultsService(), new DefaultCatalogService());
    }

    /** ~/.llm-compression-workbench (or -Dworkbench.workspace). */
    public static Path defaultWorkspace() {
        String p = System.getProperty("workbench.workspace");
        return p != null && !p.isBlank() ? Path.of(p) : Path.of(System.getProperty("user.home"), ".llm-compression-workbench");
    }

    public WorkbenchServices withResults(ResultsService r) {
        return new WorkbenchServices(workspace, models, compression, evaluation, r, catalog);
    }
}
