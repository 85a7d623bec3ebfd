package dev.llmcw.cli;

import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import dev.llmcw.compress.caldera.adapt.FineTuner;
import dev.llmcw.compress.caldera.adapt.FinetuneSettings;
import dev.llmcw.compress.caldera.adapt.TrainingObjective;
import dev.llmcw.compress.caldera.adapt.TrainingText;
import dev.llmcw.eval.EvalSettingsCheck;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.DataPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
            "factors frozen, and writes the adapted model in the CALDERA format (docs/algorithms.md)."
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

    @Option(names = "--train", required = true, description = "UTF-8 training text (e.g. the calibration text)")
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
        Path model = modelOptions.model();
        Model m = ModelLoader.load(model, modelOptions.tokenizer());
        if (m.tokenizer() == null)
            throw new IllegalArgumentException(model + ": no tokenizer found beside the model; pass --tokenizer");
        var trainText = TrainingText.read(train, m.tokenizer(), blockLen, trainBlocks);
        TrainingText held = heldout == null ? null : TrainingText.read(heldout, m.tokenizer(), blockLen, heldoutBlocks);
        PrintWriter err = spec.commandLine().getErr();
        checkOverlap(trainText, held, m, err);
        var adapted = new AdaptedCalderaModel(m);
        var tuner = new FineTuner(
                        TrainingObjective.of(adapted.trainingModel(trainNorms)),
                        settings,
                        trainText.blocks(),
                        held == null ? List.of() : held.blocks())
                .evaluatingEvery(evalEvery);
        Path ckpt = checkpoint != null ? checkpoint : out.resolveSibling(out.getFileName() + ".ckpt");
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
        if (held != null) {
            double before = tuner.heldOutLoss();
            System.out.printf(Locale.ROOT, "held-out loss before: %.4f (perplexity %.4f)%n", before, Math.exp(before));
        }
        long t0 = System.nanoTime();
        double after = tuner.run(FinetuneCommand::print, null);
        Map<String, String> added = AdaptedCalderaModel.parameters(settings, trainText);
        adapted.write(out, adapted.trainingParameters(), added);
        Files.deleteIfExists(ckpt);
        record(model, added, (System.nanoTime() - t0) / 1e9, err);
        if (held != null)
            System.out.printf(Locale.ROOT, "held-out loss after: %.4f (perplexity %.4f)%n", after, Math.exp(after));
        System.out.println("wrote " + out);
        return 0;
    }

    /**
     * Records the adapted file as a compression of its own (the source's record with the fine-tuning settings
     * added), so that its evaluations sit at the right bits/weight on the charts: the adapter only changes
     * values, not storage. Without a record of the source there is nothing to copy: said, not guessed.
     */
    private void record(Path source, Map<String, String> added, double seconds, PrintWriter err) {
        try (ResultsStore store = dbOption.open()) {
            var src = store.compressionByFileHash(ModelHashes.contentHash(source));
            if (src.isEmpty()) {
                err.println("note: " + source + " is not in " + store.file() + " (compressed elsewhere?): runs of "
                        + out + " will have no bits/weight on record");
                return;
            }
            CompressionRecord s = src.get();
            var params = new LinkedHashMap<>(s.params());
            params.putAll(added);
            store.saveCompression(new CompressionRecord(
                    0,
                    Instant.now(),
                    s.modelHash(),
                    s.modelPath(),
                    s.method(),
                    params,
                    out.toString(),
                    ModelHashes.contentHash(out),
                    Files.size(out),
                    s.bitsPerWeight(),
                    seconds,
                    s.tensorErrors(),
                    BuildInfo.version()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
     * Training on the held-out text makes its loss meaningless: refused unless --allow-overlap. Training on the
     * workbench's evaluation texts makes their later perplexity optimistic: said, as compress says it.
     */
    private void checkOverlap(TrainingText trainText, TrainingText held, Model m, PrintWriter err) throws IOException {
        if (held != null) {
            String o = trainText.overlap(held.file(), held.tokens(), "held-out text");
            if (o != null && !allowOverlap)
                throw new IllegalArgumentException(o + " (pass --allow-overlap to train anyway)");
            if (o != null) err.println("warning: " + o);
        }
        for (Path text : EvalSettingsCheck.evaluationTexts(TaskRegistry.names(), DataPaths.shared("datasets"), null)) {
            int[] tokens = m.tokenizer().encode(Files.readString(text, StandardCharsets.UTF_8));
            String o = trainText.overlap(text, tokens, "evaluation text");
            if (o != null) err.println("warning: " + o + "; its perplexity after fine-tuning will be optimistic");
        }
    }
}
