package dev.llmcw.cli;

import static dev.llmcw.cli.FinetuneCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.caldera.CalderaFormat;
import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import dev.llmcw.compress.caldera.adapt.BlockwiseSettings;
import dev.llmcw.compress.caldera.adapt.FineTuner;
import dev.llmcw.compress.caldera.adapt.FinetuneSettings;
import dev.llmcw.compress.caldera.adapt.TrainingObjective;
import dev.llmcw.compress.caldera.adapt.TrainingText;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.results.FinetuneRuns;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.testing.Slow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The block-wise stage of {@code finetune} on stories260K, CALDERA rank 8 with ft_rank 4 (2-bit Q, 4-bit
 * factors): every block's output gets closer to the original block's on the development set, the block-wise +
 * end-to-end model is compared with end-to-end alone on held-out stories, the stored SU/SV load and count in
 * bits/weight, and the run that {@code finetune} stores of its own (once per setting).
 */
class BlockwiseFinetuneCommandTest {
    private static final Pattern BLOCK = Pattern.compile("block (\\d): output MSE vs the original (\\S+) -> (\\S+) ");

    /** Development stories 1000..1099: neither training (0..199) nor held-out (3000..3099). */
    static Path devText(Path dir) throws Exception {
        String all = Files.readString(
                TestData.require("datasets/tinystories/tinystories_val_subset.txt"), StandardCharsets.UTF_8);
        List<String> stories = Perplexity.split(all, Perplexity.Documents.BLANK_LINE);
        Path dev = dir.resolve("dev.txt");
        Files.writeString(dev, String.join("\n\n", stories.subList(1000, 1100)));
        return dev;
    }

    static Path compress(Path dir, Path calib, Path db) {
        Path out = dir.resolve("c8ft4.safetensors");
        var r = run(
                "compress",
                "--method",
                "caldera",
                "--rank",
                "8",
                "--ft-rank",
                "4",
                "--q-bits",
                "2",
                "--lr-bits",
                "4",
                "--outer-iters",
                "2",
                "--inner-iters",
                "2",
                "--calib",
                calib.toString(),
                "--calib-seqs",
                "8",
                "--calib-len",
                "128",
                "--db",
                db.toString(),
                "--model",
                TestData.stories260K().toString(),
                "--out",
                out.toString());
        assertThat(r.rc()).as(r.err()).isZero();
        return out;
    }

    private static String[] args(Path model, Path[] t, Path dev, Path db, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "finetune",
                "--model",
                model.toString(),
                "--train",
                t[0].toString(),
                "--heldout",
                t[1].toString(),
                "--block-len",
                "64",
                "--train-blocks",
                "48",
                "--heldout-blocks",
                "8",
                "--epochs",
                "2",
                "--lr",
                "1e-3",
                "--grad-accum",
                "2",
                "--seed",
                "1",
                "--eval-every",
                "16",
                "--dev",
                dev.toString(),
                "--dev-blocks",
                "16",
                "--db",
                db.toString(),
                "--out",
                out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static List<RunRecord> finetuneRuns(Path db) {
        try (var store = ResultsStore.open(db)) {
            return store.listRuns(RunFilter.all()).stream()
                    .filter(r -> r.task().equals(FinetuneRuns.TASK))
                    .toList();
        }
    }

    @Slow
    @Test
    void blockwiseStageLowersEveryBlocksErrorAndIsComparedWithEndToEndAlone(@TempDir Path dir) throws Exception {
        Path[] t = FinetuneCommandTest.texts(dir);
        Path dev = devText(dir), db = dir.resolve("results.db");
        Path compressed = compress(dir, t[0], db);
        Path e2e = dir.resolve("e2e.safetensors"), both = dir.resolve("both.safetensors");
        var plain = run(args(compressed, t, dev, db, e2e));
        assertThat(plain.rc()).as(plain.err()).isZero();
        var r = run(args(compressed, t, dev, db, both, "--blockwise-norms", "--blockwise-hadamard"));
        assertThat(r.rc()).as(r.err()).isZero();
        var m = BLOCK.matcher(r.out());
        int blocks = 0;
        while (m.find()) {
            assertThat(Double.parseDouble(m.group(3)))
                    .as("block %s's output MSE on the development set", m.group(1))
                    .isLessThan(Double.parseDouble(m.group(2)));
            blocks++;
        }
        assertThat(blocks).isEqualTo(5);
        double before = FinetuneCommandTest.perplexity(compressed, t[1]);
        double endToEnd = FinetuneCommandTest.perplexity(e2e, t[1]);
        double blockwise = FinetuneCommandTest.perplexity(both, t[1]);
        System.out.printf(
                "held-out perplexity: compressed %.4f, end-to-end %.4f, block-wise + end-to-end %.4f%n%s",
                before, endToEnd, blockwise, r.out());
        assertThat(endToEnd).isLessThan(before);
        assertThat(blockwise).isLessThanOrEqualTo(endToEnd);

        // SU/SV are stored (F16) for all 35 matrices; everything else but adapters and norms is copied
        var src = SafetensorsFile.open(compressed);
        var dst = SafetensorsFile.open(both);
        for (String name : WeightNames.blockLinearWeights(5)) {
            assertThat(dst.has(name + ".caldera.SU")).as(name).isTrue();
            assertThat(src.has(name + ".caldera.SU")).as(name).isFalse();
        }
        for (String name : src.entries().keySet()) {
            // the final norm belongs to no block: the block-wise stage leaves it as it was
            boolean trained =
                    name.endsWith("ft.values") || (name.contains("norm") && !name.equals(WeightNames.FINAL_NORM));
            assertThat(Arrays.equals(src.byteArray(name), dst.byteArray(name)))
                    .as(name)
                    .isEqualTo(!trained);
        }
        // it loads on the fly and dense with the same predictions
        Model fly = CompressedModels.load(both, true), dense = CompressedModels.load(both, false);
        int[] seq = ModelLoader.load(both).tokenizer().encode("Once upon a time");
        float[][] a = new LlamaEngine(fly).logits(seq), b = new LlamaEngine(dense).logits(seq);
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a[i].length; j++) assertThat(a[i][j]).isCloseTo(b[i][j], offset(1e-3f));
        assertThat(CompressedModels.params(fly))
                .containsKey(AdaptedCalderaModel.KEY_BLOCKWISE)
                .containsEntry(AdaptedCalderaModel.KEY_BLOCKWISE_TEXT, "dev.txt, 16 × 64 tokens");

        // bits/weight: the source's plus 16 bits per SU/SV element over the compressed weights
        try (var store = ResultsStore.open(db)) {
            var s = store.compressionByFileHash(ModelHashes.contentHash(compressed))
                    .orElseThrow();
            var e = store.compressionByFileHash(ModelHashes.contentHash(e2e)).orElseThrow();
            var w = store.compressionByFileHash(ModelHashes.contentHash(both)).orElseThrow();
            long scaleElements = 0, weights = 0;
            for (String name : WeightNames.blockLinearWeights(5)) {
                var st = CalderaFormat.read(src, name);
                scaleElements += st.rows() + st.cols();
                weights += (long) st.rows() * st.inCols();
            }
            assertThat(e.bitsPerWeight()).isEqualTo(s.bitsPerWeight());
            assertThat(w.bitsPerWeight()).isCloseTo(s.bitsPerWeight() + 16.0 * scaleElements / weights, offset(1e-9));
        }
    }

    @Test
    void finetuneStoresOneRunOfItsOwnPerSetting(@TempDir Path dir) throws Exception {
        Path[] t = FinetuneCommandTest.texts(dir);
        Path dev = devText(dir), db = dir.resolve("results.db");
        Path compressed = compress(dir, t[0], db), out = dir.resolve("bw.safetensors");
        String[] a =
                args(compressed, t, dev, db, out, "--blockwise-hadamard", "--no-end-to-end", "--blockwise-epochs", "1");
        a[Arrays.asList(a).indexOf("--dev-blocks") + 1] = "4";
        var first = run(a);
        assertThat(first.rc()).as(first.err()).isZero();
        assertThat(first.out()).contains("stored as run");
        List<RunRecord> runs = finetuneRuns(db);
        assertThat(runs).hasSize(1);
        RunRecord run = runs.getFirst();
        assertThat(run.spec().methodParams())
                .containsEntry("ft_rank", "4")
                .containsEntry(AdaptedCalderaModel.KEY_FINETUNE, "block-wise only")
                .containsKey(AdaptedCalderaModel.KEY_BLOCKWISE);
        assertThat(run.spec().methodParams().get(AdaptedCalderaModel.KEY_BLOCKWISE))
                .contains("Hadamard SU/SV", "1 epochs", "no end-to-end");
        assertThat(run.spec().modelPath()).isEqualTo(out.toString());
        assertThat(run.bitsPerWeight()).isNotNull();
        var metrics = run.toTaskMetrics().metrics();
        assertThat(metrics.get("perplexity")).isCloseTo(Math.exp(metrics.get("loss")), offset(1e-9));
        assertThat(metrics.get("loss")).isLessThan(metrics.get("loss_before"));

        var again = run(a);
        assertThat(again.rc()).as(again.err()).isZero();
        assertThat(again.out()).contains("same fine-tuning already stored as run " + run.id());
        assertThat(finetuneRuns(db)).hasSize(1);
        // another setting is another run
        a[Arrays.asList(a).indexOf("--blockwise-epochs") + 1] = "2";
        var other = run(a);
        assertThat(other.rc()).as(other.err()).isZero();
        assertThat(finetuneRuns(db)).hasSize(2);
    }

    @Test
    void aDevelopmentTextSharedWithTheOtherTextsOrMissingIsRefused(@TempDir Path dir) throws Exception {
        Path[] t = FinetuneCommandTest.texts(dir);
        String model = TestData.stories260K().toString(),
                out = dir.resolve("x.safetensors").toString();
        var withHeldOut = run(
                "finetune",
                "--model",
                model,
                "--train",
                t[0].toString(),
                "--heldout",
                t[1].toString(),
                "--dev",
                t[1].toString(),
                "--blockwise-norms",
                "--out",
                out);
        assertThat(withHeldOut.rc()).isNotZero();
        assertThat(withHeldOut.err()).contains("the development text " + t[1] + " shares", "--allow-overlap");
        var withTrain = run(
                "finetune",
                "--model",
                model,
                "--train",
                t[0].toString(),
                "--dev",
                t[0].toString(),
                "--blockwise-hadamard",
                "--out",
                out);
        assertThat(withTrain.rc()).isNotZero();
        assertThat(withTrain.err()).contains("shares", "with the development text " + t[0]);
        var noDev = run("finetune", "--model", model, "--train", t[0].toString(), "--blockwise-norms", "--out", out);
        assertThat(noDev.err()).contains("need a development text: --dev");
        var nothing = run("finetune", "--model", model, "--no-end-to-end", "--out", out);
        assertThat(nothing.err()).contains("--no-end-to-end leaves nothing to train");
        assertThat(Files.exists(dir.resolve("x.safetensors"))).isFalse();
    }

    /** Interrupted in the end-to-end stage, resumed from the command line: the block-wise stage is redone, same bytes. */
    @Slow
    @Test
    void aRunWithTheBlockwiseStageResumesToTheSameFile(@TempDir Path dir) throws Exception {
        Path[] t = FinetuneCommandTest.texts(dir);
        Path dev = devText(dir), db = dir.resolve("results.db");
        Path compressed = compress(dir, t[0], db), whole = dir.resolve("whole.safetensors");
        String[] extra = {"--blockwise-hadamard", "--blockwise-epochs", "1"};
        String[] a = args(compressed, t, dev, db, whole, extra);
        a[Arrays.asList(a).indexOf("--dev-blocks") + 1] = "4";
        var r = run(a);
        assertThat(r.rc()).as(r.err()).isZero();

        Path ckpt = dir.resolve("run.ckpt");
        var adapted = new AdaptedCalderaModel(ModelLoader.load(compressed));
        var tok = adapted.model().tokenizer();
        var training = adapted.trainingModel(false, true);
        adapted.tuneBlockwise(
                ModelLoader.load(TestData.stories260K()),
                new BlockwiseSettings(false, true, true, 1, 5e-3, 5e-4, 4),
                TrainingText.read(dev, tok, 64, 4).blocks(),
                1,
                null,
                null);
        var tuner = new FineTuner(
                        TrainingObjective.of(training, adapted.endToEndParameters(false)),
                        new FinetuneSettings(64, 2, 1e-3, 0.001, 0.02, 1.0, 2, 1, false, false),
                        TrainingText.read(t[0], tok, 64, 48).blocks(),
                        TrainingText.read(t[1], tok, 64, 8).blocks())
                .checkpointing(ckpt, 8);
        assertThatThrownBy(() -> tuner.run(
                        s -> {
                            if (s.step() == 10) throw new IOException("killed");
                        },
                        null))
                .hasMessage("killed");
        Path resumedOut = dir.resolve("resumed.safetensors");
        String[] b = args(
                compressed,
                t,
                dev,
                db,
                resumedOut,
                "--blockwise-hadamard",
                "--blockwise-epochs",
                "1",
                "--resume",
                "--checkpoint",
                ckpt.toString());
        b[Arrays.asList(b).indexOf("--dev-blocks") + 1] = "4";
        var resumed = run(b);
        assertThat(resumed.rc()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resuming at step 8 of 48");
        assertThat(Files.mismatch(whole, resumedOut)).isEqualTo(-1L);
    }
}
