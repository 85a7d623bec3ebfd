package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.engine.train.AdamW;
import dev.llmcw.engine.train.GradientClipping;
import dev.llmcw.engine.train.LearningRateSchedule;
import dev.llmcw.engine.train.Parameter;
import dev.llmcw.util.CancellationToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The fine-tuning loop: epochs over the training blocks in a seeded order (a fresh permutation per epoch,
 * derived from the seed and the epoch alone, so a resumed run needs only its step to know where it is),
 * {@code gradAccum} blocks per optimizer step with their float32 gradients averaged, global-norm clipping,
 * AdamW under a warm-up + decay schedule, the held-out loss every N steps, and checkpoints (parameters,
 * AdamW moments, step) from which {@link #resumeFrom} continues to the same result as an uninterrupted run.
 */
public final class FineTuner {
    /** What one optimizer step reports; {@code heldOutLoss} is NaN on steps without an evaluation. */
    public record Step(
            int step,
            int total,
            double trainLoss,
            double heldOutLoss,
            double lr,
            double gradNorm,
            double elapsedSeconds,
            double etaSeconds) {}

    public interface Listener {
        void step(Step s) throws IOException;

        /** The held-out loss before the first step of this run (at {@code step}, 0 unless resumed); NaN without held-out text. */
        default void started(int step, double heldOutLoss) {}
    }

    private final TrainingObjective objective;
    private final FinetuneSettings settings;
    private final List<int[]> train, heldOut;
    private final List<Parameter> parameters;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final int stepsPerEpoch;
    private int evalEvery, checkpointEvery, nextStep;
    private Path checkpoint;

    public FineTuner(TrainingObjective objective, FinetuneSettings settings, List<int[]> train, List<int[]> heldOut) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training blocks");
        this.objective = objective;
        this.settings = settings;
        this.train = List.copyOf(train);
        this.heldOut = List.copyOf(heldOut);
        this.parameters = objective.parameters();
        if (parameters.isEmpty()) throw new IllegalArgumentException("the model has no trainable parameters");
        this.optimizer = AdamW.withDefaults(parameters, settings.weightDecay());
        this.stepsPerEpoch = (train.size() + settings.gradAccum() - 1) / settings.gradAccum();
        int total = stepsPerEpoch * settings.epochs();
        this.schedule = new LearningRateSchedule(
                settings.lr(),
                LearningRateSchedule.warmupSteps(settings.warmupRatio(), total),
                total,
                settings.cosine());
    }

    /** Held-out loss every {@code n} optimizer steps and after the last (0: only after the last). */
    public FineTuner evaluatingEvery(int n) {
        this.evalEvery = Math.max(0, n);
        return this;
    }

    /** Writes {@code file} (atomically) every {@code n} optimizer steps (0: never). */
    public FineTuner checkpointing(Path file, int n) {
        this.checkpoint = file;
        this.checkpointEvery = Math.max(0, n);
        return this;
    }

    /** Continues from a checkpoint this run's settings, blocks and parameters wrote. */
    public FineTuner resumeFrom(Path file) throws IOException {
        this.nextStep = FinetuneCheckpoint.restore(file, this);
        return this;
    }

    public int totalSteps() {
        return schedule.total();
    }

    public int nextStep() {
        return nextStep;
    }

    FinetuneSettings settings() {
        return settings;
    }

    int trainingBlocks() {
        return train.size();
    }

    AdamW optimizer() {
        return optimizer;
    }

    /** The mean loss over the held-out blocks (NaN without any). */
    public double heldOutLoss() {
        return meanLoss(objective, heldOut);
    }

    /** The mean loss of {@code objective} over {@code blocks} (NaN without any). */
    public static double meanLoss(TrainingObjective objective, List<int[]> blocks) {
        if (blocks.isEmpty()) return Double.NaN;
        double s = 0;
        for (int[] b : blocks) s += objective.loss(b);
        return s / blocks.size();
    }

    /** The training blocks of optimizer step {@code step}, in the seeded order. */
    List<int[]> blocksOf(int step) {
        int epoch = step / stepsPerEpoch, within = step % stepsPerEpoch;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) order.add(i);
        Collections.shuffle(order, new Random(settings.seed() * 1_000_003L + epoch));
        List<int[]> out = new ArrayList<>();
        int from = within * settings.gradAccum(), to = Math.min(train.size(), from + settings.gradAccum());
        for (int i = from; i < to; i++) out.add(train.get(order.get(i)));
        return out;
    }

    /** Runs the remaining steps; returns the final held-out loss (NaN without held-out blocks). */
    public double run(Listener listener, CancellationToken cancel) throws IOException {
        long t0 = System.nanoTime();
        int first = nextStep, total = totalSteps();
        double last = Double.NaN;
        while (nextStep < total) {
            if (cancel != null) cancel.throwIfCancelled();
            int step = nextStep;
            parameters.forEach(Parameter::zeroGrad);
            List<int[]> blocks = blocksOf(step);
            double loss = 0;
            for (int[] b : blocks) loss += objective.lossAndGradients(b);
            GradientClipping.scale(parameters, 1.0 / blocks.size());
            double norm = GradientClipping.clip(parameters, settings.clip());
            double lr = schedule.at(step);
            optimizer.step(lr);
            nextStep = step + 1;
            boolean evaluate = nextStep == total || (evalEvery > 0 && nextStep % evalEvery == 0);
            double held = evaluate ? heldOutLoss() : Double.NaN;
            if (nextStep == total) last = held;
            if (checkpoint != null && checkpointEvery > 0 && nextStep % checkpointEvery == 0 && nextStep < total)
                FinetuneCheckpoint.save(checkpoint, this);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double eta = elapsed / (nextStep - first) * (total - nextStep);
            if (listener != null)
                listener.step(new Step(nextStep, total, loss / blocks.size(), held, lr, norm, elapsed, eta));
        }
        return last;
    }
}
