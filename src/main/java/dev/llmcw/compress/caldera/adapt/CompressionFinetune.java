package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.model.Model;
import dev.llmcw.util.CancellationToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The fine-tuning step right after a CALDERA compression ({@code compress --finetune}, a suite's
 * {@code finetune:}): the adapters trained on the calibration text the model was calibrated on, as many
 * blocks as the calibration used tokens, the file replaced atomically by the adapted model.
 */
public final class CompressionFinetune {
    private CompressionFinetune() {}

    /**
     * @param compressed  the file just written, loaded with its tokenizer
     * @param calibTokens tokens the calibration used (sequences × length)
     * @param started     told "TEXT: N steps (SETTINGS)" before the first step
     * @return {@code r} with the fine-tuning settings added to its parameters
     */
    public static CompressionReport apply(
            CompressionReport r,
            Model compressed,
            Path calibration,
            int calibTokens,
            FinetuneSettings settings,
            Consumer<String> started,
            FineTuner.Listener steps,
            CancellationToken cancel)
            throws IOException {
        var adapted = new AdaptedCalderaModel(compressed);
        int blocks = Math.max(1, calibTokens / settings.blockLen());
        var text = TrainingText.read(calibration, compressed.tokenizer(), settings.blockLen(), blocks);
        var tuner = new FineTuner(
                TrainingObjective.of(adapted.trainingModel(settings.trainNorms())), settings, text.blocks(), List.of());
        started.accept(text.describe() + ": " + tuner.totalSteps() + " steps (" + settings.describe() + ")");
        tuner.run(steps, cancel);
        var added = AdaptedCalderaModel.parameters(settings, text);
        adapted.write(r.file(), adapted.trainingParameters(), added);
        Map<String, String> params = new LinkedHashMap<>(r.parameters());
        params.putAll(added);
        return new CompressionReport(r.file(), r.method(), params, r.size(), r.tensorErrors(), r.seconds());
    }
}
