package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.model.Model;
import dev.llmcw.util.CancellationToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One fine-tuning of a CALDERA model loaded from a file with ft_rank &gt; 0, as the GUI and suites run it: the
 * training and held-out texts cut into blocks, their overlap refused, the adapted model written atomically to
 * {@code out}, a checkpoint beside it ({@link #checkpoint}) kept when the run is cancelled so that
 * {@code resume} continues it, and removed when the run ends.
 *
 * @param model          the CALDERA model (its tokenizer set; {@link Model#source} is the file read)
 * @param train          training text
 * @param trainBlocks    at most this many training blocks (0: all)
 * @param heldOut        held-out text, or null for none
 * @param heldOutBlocks  at most this many held-out blocks
 * @param settings       the optimizer and schedule
 * @param evalEvery      held-out loss every N steps and after the last (0: only after the last)
 * @param checkpointEvery a checkpoint every N steps (0: only on cancellation)
 * @param out            the adapted model file
 * @param resume         continue from {@link #checkpoint} when it exists
 */
public record FinetuneRun(
        Model model,
        Path train,
        int trainBlocks,
        Path heldOut,
        int heldOutBlocks,
        FinetuneSettings settings,
        int evalEvery,
        int checkpointEvery,
        Path out,
        boolean resume) {
    /** What the run ends with: held-out losses before and after (NaN without held-out text), what the file gained. */
    public record Result(Path out, int steps, double heldOutBefore, double heldOutAfter, Map<String, String> added) {}

    public FinetuneRun {
        if (model.tokenizer() == null)
            throw new IllegalArgumentException(model.source() + ": no tokenizer for the training text");
    }

    /** The checkpoint file beside the output ("OUT.ckpt", as the finetune command's default). */
    public Path checkpoint() {
        return out.resolveSibling(out.getFileName() + ".ckpt");
    }

    public Result run(FineTuner.Listener listener, CancellationToken cancel) throws IOException {
        var trainText = TrainingText.read(train, model.tokenizer(), settings.blockLen(), trainBlocks);
        TrainingText held = heldOut == null
                ? null
                : TrainingText.read(heldOut, model.tokenizer(), settings.blockLen(), heldOutBlocks);
        if (held != null) {
            String o = trainText.overlap(held.file(), held.tokens(), "held-out text");
            if (o != null)
                throw new IllegalArgumentException(o + "; choose a held-out text the training text does not contain");
        }
        var adapted = new AdaptedCalderaModel(model);
        var tuner = new FineTuner(
                        TrainingObjective.of(adapted.trainingModel(settings.trainNorms())),
                        settings,
                        trainText.blocks(),
                        held == null ? List.of() : held.blocks())
                .evaluatingEvery(evalEvery)
                .checkpointing(checkpoint(), checkpointEvery);
        if (resume && Files.isRegularFile(checkpoint())) tuner.resumeFrom(checkpoint());
        double before = tuner.heldOutLoss();
        if (listener != null) listener.started(tuner.nextStep(), before);
        try {
            double after = tuner.run(listener, cancel);
            var added = AdaptedCalderaModel.parameters(settings, trainText);
            adapted.write(out, adapted.trainingParameters(), added);
            Files.deleteIfExists(checkpoint());
            return new Result(out, tuner.totalSteps(), before, after, added);
        } catch (CancellationToken.CancelledException e) {
            // The loop stops between steps, so the state is that of a finished step: keep it for resume.
            FinetuneCheckpoint.save(checkpoint(), tuner);
            throw e;
        }
    }

    /** The compression report of the adapted file: the source's, with the fine-tuning settings in its parameters. */
    public static CompressionReport adaptedReport(CompressionReport source, Result r, double seconds) {
        Map<String, String> params = new LinkedHashMap<>(source.parameters());
        params.putAll(r.added());
        return new CompressionReport(r.out(), source.method(), params, source.size(), source.tensorErrors(), seconds);
    }
}
