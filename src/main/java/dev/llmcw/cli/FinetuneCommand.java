package dev.llmcw.cli;

import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import dev.llmcw.compress.caldera.adapt.BlockwiseSettings;
import dev.llmcw.compress.caldera.adapt.BlockwiseStage;
import dev.llmcw.compress.caldera.adapt.FineTuner;
import dev.llmcw.compress.caldera.adapt.FinetuneSettings;
import dev.llmcw.compress.caldera.adapt.TrainingObjective;
import dev.llmcw.compress.caldera.adapt.TrainingText;
import dev.llmcw.eval.EvalSettingsCheck;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.FinetuneRuns;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.util.DataPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "finetune",
        description = {
            "Low-rank adaptation of a CALDERA model compressed with --ft-rank > 0: trains the BF16 factors",
            "(and with --train-norms the RMSNorm weights) on blocks of a text with AdamW, Q and the quantised",
            "factors frozen, and writes the adapted model in the CALDERA format (docs/algorithms.md). With",
            "--blockwise-norms/--blockwise-hadamard a block-by-block stage on --dev comes first. The held-out",
            "loss is stored as a run of its own (task finetune_heldout) in the results database."
        })
final class FinetuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Mixin
    DbOption dbOption = new DbOption();

    @Option(
            names = "--train",
            description = "UTF-8 training text (e.g. the calibration text); required unless --no-end-to-end")
    Path train;

    @Option(names = "--train-blocks", defaultValue = "0", description = "use at most N training blocks (0: all)")
    int trainBlocks;

    @Option(names = "--heldout", description = "UTF-8 held-out text, disjoint from the training text")
    Path heldout;

    @Option(
            names = "--heldout-blocks",
            defaultValue = "16",
            description = "held-out blocks (default: ${DEFAULT-VALUE})")
    int heldoutBlocks;

    @Option(names = "--block-len", defaultValue = "128", description = "tokens per block (default: ${DEFAULT-VALUE})")
    int blockLen;

    @Option(
            names = "--epochs",
            defaultValue = "2",
            description = "passes over the training blocks (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(
            names = "--weight-decay",
            defaultValue = "0.001",
            description = "AdamW weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(
            names = "--warmup",
            defaultValue = "0.02",
            description = "fraction of the steps warming the learning rate up (default: ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--cosine", description = "cosine instead of linear decay after the warm-up")
    boolean cosine;

    @Option(
            names = "--clip",
            defaultValue = "1.0",
            description = "maximum global gradient norm, 0: none (default: ${DEFAULT-VALUE})")
    double clip;

    @Option(
            names = "--grad-accum",
            defaultValue = "1",
            description = "blocks averaged per optimizer step (default: ${DEFAULT-VALUE})")
    int gradAccum;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the block order (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--train-norms", description = "also fine-tune the RMSNorm weights")
    boolean trainNorms;

    @Option(
            names = "--blockwise-norms",
            description = "block-wise stage first: train each block's RMSNorm weights to reproduce the original"
                    + " block's outputs on --dev")
    boolean blockwiseNorms;

    @Option(
            names = "--blockwise-hadamard",
            description = "block-wise stage first: train each matrix's randomized-Hadamard sign vectors as real"
                    + " scales SU/SV (stored in the file, 16 bits each)")
    boolean blockwiseHadamard;

    @Option(names = "--no-end-to-end", description = "only the block-wise stage: skip the end-to-end fine-tuning")
    boolean noEndToEnd;

    @Option(
            names = "--dev",
            description = "UTF-8 development text of the block-wise stage, disjoint from --train and --heldout")
    Path dev;

    @Option(
            names = "--dev-blocks",
            defaultValue = "16",
            description = "development blocks, the last quarter validating (default: ${DEFAULT-VALUE})")
    int devBlocks;

    @Option(
            names = "--blockwise-epochs",
            defaultValue = "5",
            description = "block-wise epochs per decoder block (default: ${DEFAULT-VALUE})")
    int blockwiseEpochs;

    @Option(
            names = "--blockwise-scale-lr",
            defaultValue = "5e-3",
            description = "block-wise learning rate of SU/SV (default: ${DEFAULT-VALUE})")
    double blockwiseScaleLr;

    @Option(
            names = "--blockwise-norm-lr",
            defaultValue = "5e-4",
            description = "block-wise learning rate of the RMSNorm weights (default: ${DEFAULT-VALUE})")
    double blockwiseNormLr;

    @Option(
            names = "--blockwise-batch",
            defaultValue = "4",
            description = "development blocks per block-wise update (default: ${DEFAULT-VALUE})")
    int blockwiseBatch;

    @Option(
            names = "--original",
            description = "the uncompressed model of the block-wise targets (default: the source the file records)")
    Path original;

    @Option(
            names = "--eval-every",
            defaultValue = "10",
            description = "held-out loss every N steps and after the last (default: ${DEFAULT-VALUE})")
    int evalEvery;

    @Option(
            names = "--checkpoint-every",
            defaultValue = "50",
            description = "checkpoint every N steps, 0: never (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--checkpoint", description = "checkpoint file (default: OUT.ckpt beside --out)")
    Path checkpoint;

    @Option(names = "--resume", description = "continue the interrupted run from its checkpoint")
    boolean resume;

    @Option(
            names = "--allow-overlap",
            description = "train even when the training text shares passages with the held-out text")
    boolean allowOverlap;

    @Option(names = "--out", required = true, description = "adapted CALDERA model (.safetensors)")
    Path out;

    @Override
    public Integer call() throws IOException {
        threads.apply();
        var settings = new FinetuneSettings(
                blockLen, epochs, lr, weightDecay, warmup, clip, gradAccum, seed, trainNorms, cosine);
        var blockwise = new BlockwiseSettings(
                blockwiseNorms,
                blockwiseHadamard,
                !noEndToEnd,
                blockwiseEpochs,
                blockwiseScaleLr,
                blockwiseNormLr,
                blockwiseBatch);
        if (blockwise.enabled() && dev == null)
            throw new IllegalArgumentException("--blockwise-norms/--blockwise-hadamard need a development text: --dev");
        if (blockwise.endToEnd() && train == null)
            throw new IllegalArgumentException("--train is required (unless --no-end-to-end)");
        Path model = modelOptions.model();
        Model m = ModelLoader.load(model, modelOptions.tokenizer());
        if (m.tokenizer() == null)
            throw new IllegalArgumentException(model + ": no tokenizer found beside the model; pass --tokenizer");
        var trainText = train == null ? null : TrainingText.read(train, m.tokenizer(), blockLen, trainBlocks);
        TrainingText held = heldout == null ? null : TrainingText.read(heldout, m.tokenizer(), blockLen, heldoutBlocks);
        var devText = blockwise.enabled() ? TrainingText.read(dev, m.tokenizer(), blockLen, devBlocks) : null;
        PrintWriter err = spec.commandLine().getErr();
        checkOverlap(trainText, held, devText, m, err);
        var adapted = new AdaptedCalderaModel(m);
        var training = adapted.trainingModel(trainNorms || blockwise.norms(), blockwise.hadamard());
        var objective = TrainingObjective.of(training, adapted.endToEndParameters(trainNorms));
        List<int[]> heldBlocks = held == null ? List.of() : held.blocks();
        double before = FineTuner.meanLoss(objective, heldBlocks);
        if (held != null)
            System.out.printf(Locale.ROOT, "held-out loss before: %.4f (perplexity %.4f)%n", before, Math.exp(before));
        long t0 = System.nanoTime();
        double afterBlockwise = Double.NaN, after = before;
        if (blockwise.enabled()) {
            Path orig = adapted.originalModel(original);
            System.out.printf(
                    Locale.ROOT,
                    "block-wise stage on %s against %s: %s%n",
                    devText.describe(),
                    orig.getFileName(),
                    blockwise.describe());
            adapted.tuneBlockwise(
                    ModelLoader.load(orig), blockwise, devText.blocks(), seed, FinetuneCommand::print, null);
            after = afterBlockwise = FineTuner.meanLoss(objective, heldBlocks);
            if (held != null)
                System.out.printf(
                        Locale.ROOT,
                        "held-out loss after the block-wise stage: %.4f (perplexity %.4f)%n",
                        afterBlockwise,
                        Math.exp(afterBlockwise));
        }
        Path ckpt = checkpoint != null ? checkpoint : out.resolveSibling(out.getFileName() + ".ckpt");
        if (blockwise.endToEnd()) after = endToEnd(adapted, objective, settings, trainText, heldBlocks, ckpt, model);
        Map<String, String> added = AdaptedCalderaModel.parameters(settings, trainText, blockwise, devText);
        adapted.write(out, adapted.trainingParameters(), added);
        Files.deleteIfExists(ckpt);
        double seconds = (System.nanoTime() - t0) / 1e9;
        try (ResultsStore store = dbOption.open()) {
            var compression = FinetuneRecords.recordCompression(
                    store, model, out, added, adapted.scaleBits(), adapted.compressedWeights(), seconds, err);
            if (held != null) {
                var params = new LinkedHashMap<>(
                        compression.map(CompressionRecord::params).orElseGet(() -> {
                            var p = new LinkedHashMap<String, String>(CompressedModels.params(m));
                            p.putAll(added);
                            return p;
                        }));
                var outcome = FinetuneRuns.recordRun(
                        store,
                        out,
                        compression.map(CompressionRecord::method).orElse("caldera"),
                        params,
                        compression,
                        new FinetuneRuns.HeldOut(
                                held.file(), held.describe(), heldBlocks.size(), before, afterBlockwise, after));
                System.out.printf(
                        Locale.ROOT,
                        "%s run %d in %s%n",
                        outcome.reused() ? "same fine-tuning already stored as" : "stored as",
                        outcome.run().id(),
                        store.file());
            }
        }
        if (held != null)
            System.out.printf(Locale.ROOT, "held-out loss after: %.4f (perplexity %.4f)%n", after, Math.exp(after));
        System.out.println("wrote " + out);
        return 0;
    }

    /** The end-to-end stage (checkpointed, resumable); returns the final held-out loss (NaN without held-out). */
    private double endToEnd(
            AdaptedCalderaModel adapted,
            TrainingObjective objective,
            FinetuneSettings settings,
            TrainingText trainText,
            List<int[]> heldBlocks,
            Path ckpt,
            Path model)
            throws IOException {
        var tuner = new FineTuner(objective, settings, trainText.blocks(), heldBlocks).evaluatingEvery(evalEvery);
        tuner.checkpointing(ckpt, checkpointEvery);
        if (resume) {
            if (!Files.isRegularFile(ckpt))
                throw new IllegalArgumentException(ckpt + ": no checkpoint to resume from (was the run started?)");
            tuner.resumeFrom(ckpt);
            System.out.printf(
                    Locale.ROOT, "resuming at step %d of %d from %s%n", tuner.nextStep(), tuner.totalSteps(), ckpt);
        }
        System.out.printf(
                Locale.ROOT,
                "fine-tuning %d adapted matrices of %s on %s: %d steps (%s)%n",
                adapted.layers().size(),
                model.getFileName(),
                trainText.describe(),
                tuner.totalSteps(),
                settings.describe());
        return tuner.run(FinetuneCommand::print, null);
    }

    static void print(BlockwiseStage.BlockResult r) {
        System.out.printf(
                Locale.ROOT,
                "block %d: output MSE vs the original %.6g -> %.6g (%d updates)%n",
                r.layer(),
                r.mseBefore(),
                r.mseAfter(),
                r.steps());
    }

    static void print(FineTuner.Step s) {
        System.out.printf(
                Locale.ROOT,
                "step %d/%d  train loss %.4f%s  lr %.3e  |g| %.3f  ETA %s%n",
                s.step(),
                s.total(),
                s.trainLoss(),
                Double.isNaN(s.heldOutLoss())
                        ? ""
                        : String.format(Locale.ROOT, "  held-out loss %.4f", s.heldOutLoss()),
                s.lr(),
                s.gradNorm(),
                eta(s.etaSeconds()));
    }

    private static String eta(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /**
     * Training on the held-out text makes its loss meaningless, and a development text shared with either
     * makes the block-wise stage see them: refused unless --allow-overlap. Training on the workbench's
     * evaluation texts makes their later perplexity optimistic: said, as compress says it.
     */
    private void checkOverlap(TrainingText trainText, TrainingText held, TrainingText devText, Model m, PrintWriter err)
            throws IOException {
        List<String> problems = new ArrayList<>();
        if (held != null && trainText != null)
            problems.add(trainText.overlap(held.file(), held.tokens(), "held-out text"));
        if (devText != null && trainText != null)
            problems.add(trainText.overlap(devText.file(), devText.tokens(), "development text"));
        if (devText != null && held != null) {
            String o = devText.overlap(held.file(), held.tokens(), "held-out text");
            problems.add(o == null ? null : o.replaceFirst("^the training text", "the development text"));
        }
        for (String o : problems) {
            if (o != null && !allowOverlap)
                throw new IllegalArgumentException(o + " (pass --allow-overlap to train anyway)");
            if (o != null) err.println("warning: " + o);
        }
        if (trainText == null) return;
        for (Path text : EvalSettingsCheck.evaluationTexts(TaskRegistry.names(), DataPaths.shared("datasets"), null)) {
            int[] tokens = m.tokenizer().encode(Files.readString(text, StandardCharsets.UTF_8));
            String o = trainText.overlap(text, tokens, "evaluation text");
            if (o != null) err.println("warning: " + o + "; its perplexity after fine-tuning will be optimistic");
        }
    }
}
