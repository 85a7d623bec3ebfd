package dev.llmcw.eval.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Finds the split of a task whose full data the repository does not ship (RTE, LAMBADA, C4): when none
 * of its files is in the data folder, the task says so in one sentence that names the download command,
 * instead of a bare "file not found".
 */
public final class MissingSplit {
    private MissingSplit() {}

    /**
     * @param split   the split as people name it ("GLUE RTE validation")
     * @param dataset the {@code workbench download dataset} name
     */
    public static Path require(
            Path dataDir, String task, String split, String dataset, List<String> subfolders, List<String> names) {
        return DatasetFiles.find(dataDir, subfolders, names)
                .orElseThrow(() -> new DatasetException(
                        dataDir,
                        "no data for " + task + ": the " + split + " split (" + String.join(" or ", names)
                                + ") is not in this data folder;" + " fetch it with `workbench download dataset "
                                + dataset + "` or use the repository's datasets/" + dataset + "/sample"));
    }
}
