package dev.llmcw.eval.tasks;

import java.nio.file.Path;
import java.util.List;

/** lm-eval output_type multiple_choice: acc (and acc_norm where the task's yaml lists it). */
public non-sealed interface MultipleChoiceTask extends Task {
    /** Reads the evaluation split from a data folder (see {@link dev.llmcw.eval.data.DatasetFiles}). */
    List<McItem> load(Path dataDir);

    /** Whether lm-eval's metric_list has acc_norm for this task (WinoGrande and BoolQ report acc only). */
    boolean reportsAccNorm();

    @Override
    default String dataFingerprint(Path dataDir) {
        return McItem.fingerprint(load(dataDir));
    }
}
