package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
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
 * @param blockwise      the block-wise stage before the end-to-end one ({@link BlockwiseSettings#OFF}: none)
 * @param dev            the development text of the block-wise stage (null without it)
 * @param devBlocks      at most this many development blocks
 * @param original       the uncompressed model of the block-wise targets (null: the source the file records)
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
        boolean resume,
        BlockwiseSettings blockwise,
        Path dev,
        int devBlocks,
        Path original) {
    /** What the run ends with: held-out losses before and after (NaN without held-out text), what the file gained. */
    public record Result(Path out, int steps, double heldOutBefore, double heldOutAfter, Map<String, String> added) {}

    public FinetuneRun {
        if (model.tokenizer() == null)
            throw new IllegalArgumentException(model.source() + ": no tokenizer for the training text");
        if (blockwise == null) blockwise = BlockwiseSettings.OFF;
        if (blockwise.enabled() && dev == null)
            throw new IllegalArgumentException("the block-wise stage needs a development text");
        if (blockwise.endToEnd() && train == null)
            throw new IllegalArgumentException("the end-to-end stage needs a training text");
    }

    /** The checkpoint file beside the output ("OUT.ckpt", as the finetune command's default). */
    public Path checkpoint() {
        return out.resolveSibling(out.getFileName() + ".ckpt");
    }

    public Result run(FineTuner.Listener listener, CancellationToken cancel) throws IOException {
        var tok = model.tokenizer();
        var trainText = train == null ? null : TrainingText.read(train, tok, settings.blockLen(), trainBlocks);
        TrainingText held =
                heldOut == null ? null : TrainingText.read(heldOut, tok, settings.blockLen(), heldOutBlocks);
        TrainingText devText = blockwise.enabled() ? TrainingText.read(dev, tok, settings.blockLen(), devBlocks) : null;
        refuseOverlap(trainText, held, "held-out text");
        refuseOverlap(trainText, devText, "development text");
        if (devText != null && held != null) {
            String o = devText.overlap(held.file(), held.tokens(), "held-out text");
            if (o != null)
                throw new IllegalArgumentException(o.replaceFirst("^the training text", "the development text")
                        + "; choose a held-out text the development text does not contain");
        }
        var adapted = new AdaptedCalderaModel(model);
        var training = adapted.trainingModel(settings.trainNorms() || blockwise.norms(), blockwise.hadamard());
        var objective = TrainingObjective.of(training, adapted.endToEndParameters(settings.trainNorms()));
        List<int[]> heldBlocks = held == null ? List.of() : held.blocks();
        FineTuner tuner = null;
        if (blockwise.endToEnd()) {
            tuner = new FineTuner(objective, settings, trainText.blocks(), heldBlocks)
                    .evaluatingEvery(evalEvery)
                    .checkpointing(checkpoint(), checkpointEvery);
        }
        double before = FineTuner.meanLoss(objective, heldBlocks);
        if (blockwise.enabled()) {
            Model orig = ModelLoader.load(adapted.originalModel(original));
            adapted.tuneBlockwise(orig, blockwise, devText.blocks(), settings.seed(), null, cancel);
        }
        // a resumed run redoes the (deterministic) block-wise stage, then continues the end-to-end one
        if (tuner != null && resume && Files.isRegularFile(checkpoint())) tuner.resumeFrom(checkpoint());
        if (listener != null) listener.started(tuner == null ? 0 : tuner.nextStep(), before);
        try {
            double after = tuner != null ? tuner.run(listener, cancel) : FineTuner.meanLoss(objective, heldBlocks);
            var added = AdaptedCalderaModel.parameters(settings, trainText, blockwise, devText);
            adapted.write(out, adapted.trainingParameters(), added);
            Files.deleteIfExists(checkpoint());
            return new Result(out, tuner == null ? 0 : tuner.totalSteps(), before, after, added);
        } catch (CancellationToken.CancelledException e) {
            // The loop stops between steps, so the state is that of a finished step: keep it for resume.
            if (tuner != null) FinetuneCheckpoint.save(checkpoint(), tuner);
            throw e;
        }
    }

    private static void refuseOverlap(TrainingText train, TrainingText other, String role) {
        if (train == null || other == null) return;
        String o = train.overlap(other.file(), other.tokens(), role);
        if (o != null)
            throw new IllegalArgumentException(o + "; choose a " + role + " the training text does not contain");
    }

    /** The compression report of the adapted file: the source's, with the fine-tuning settings in its parameters. */
    public static CompressionReport adaptedReport(CompressionReport source, Result r, double seconds) {
        Map<String, String> params = new LinkedHashMap<>(source.parameters());
        params.putAll(r.added());
        return new CompressionReport(r.out(), source.method(), params, source.size(), source.tensorErrors(), seconds);
    }
}
