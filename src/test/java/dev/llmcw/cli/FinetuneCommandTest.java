package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import dev.llmcw.compress.caldera.adapt.FineTuner;
import dev.llmcw.compress.caldera.adapt.FinetuneSettings;
import dev.llmcw.compress.caldera.adapt.TrainingObjective;
import dev.llmcw.compress.caldera.adapt.TrainingText;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.testing.Slow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * CALDERA rank 8 with all 8 components adapted (2-bit Q, 4-bit factors) on stories260K: a short fixed-seed
 * fine-tuning lowers the perplexity of held-out TinyStories stories that the training text does not contain.
 */
class FinetuneCommandTest {
    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Cli.commandLine();
        var out = new StringWriter();
        var err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        var old = System.out;
        var captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return new Run(Cli.execute(cl, args), captured.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    /** Training stories 0..199 and held-out stories 3000..3099 of the TinyStories validation subset. */
    static Path[] texts(Path dir) throws Exception {
        String all = Files.readString(
                TestData.require("datasets/tinystories/tinystories_val_subset.txt"), StandardCharsets.UTF_8);
        List<String> stories = Perplexity.split(all, Perplexity.Documents.BLANK_LINE);
        Path train = dir.resolve("train.txt"), held = dir.resolve("heldout.txt");
        Files.writeString(train, String.join("\n\n", stories.subList(0, 200)));
        Files.writeString(held, String.join("\n\n", stories.subList(3000, 3100)));
        return new Path[] {train, held};
    }

    static double perplexity(Path model, Path text) throws Exception {
        Model m = ModelLoader.load(model);
        var ppl = new Perplexity(new LlamaEngine(m, 256), m.tokenizer().bosId(), 256);
        for (String d : Perplexity.split(Files.readString(text), Perplexity.Documents.BLANK_LINE))
            ppl.add(m.tokenizer().encode(d));
        return ppl.result().perplexity();
    }

    static Path compress(Path dir, Path calib) {
        Path out = dir.resolve("c8.safetensors");
        var r = run(
                "compress",
                "--method",
                "caldera",
                "--rank",
                "8",
                "--ft-rank",
                "8",
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
                "--no-store",
                "--model",
                TestData.stories260K().toString(),
                "--out",
                out.toString());
        assertThat(r.rc()).as(r.err()).isZero();
        return out;
    }

    @Slow
    @Test
    void fineTuningTheAdapterLowersHeldOutPerplexity(@TempDir Path dir) throws Exception {
        Path[] t = texts(dir);
        Path compressed = compress(dir, t[0]), adapted = dir.resolve("adapted.safetensors");
        double before = perplexity(compressed, t[1]);
        var r = run(finetuneArgs(compressed, t, adapted));
        assertThat(r.rc()).as(r.err()).isZero();
        double after = perplexity(adapted, t[1]);
        System.out.printf("held-out perplexity before %.4f, after %.4f%n%s", before, after, r.out());
        assertThat(r.out()).contains("step 48/48", "held-out loss before", "held-out loss after", "ETA");
        assertThat(after).isLessThan(before);
        // The adapted file is a CALDERA model like any other: loads on the fly and dense, same predictions.
        Model fly = CompressedModels.load(adapted, true), dense = CompressedModels.load(adapted, false);
        assertThat(fly.linears()).hasSize(35);
        int[] seq = ModelLoader.load(adapted).tokenizer().encode("Once upon a time");
        float[][] a = new LlamaEngine(fly).logits(seq), b = new LlamaEngine(dense).logits(seq);
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a[i].length; j++) assertThat(a[i][j]).isCloseTo(b[i][j], offset(1e-3f));
        // Its identity includes the fine-tuning settings.
        assertThat(CompressedModels.params(fly))
                .containsEntry("ft_rank", "8")
                .containsKey(AdaptedCalderaModel.KEY_FINETUNE)
                .containsEntry(AdaptedCalderaModel.KEY_FINETUNE_TEXT, "train.txt, 48 × 64 tokens");
        assertThat(CompressedModels.params(fly).get(AdaptedCalderaModel.KEY_FINETUNE))
                .contains("lr 0.001", "seed 1");
        assertThat(Files.exists(dir.resolve("adapted.safetensors.ckpt"))).isFalse();

        // Interrupted after step 10 (checkpoint at step 8), then resumed from the command line: the same file.
        Path ckpt = dir.resolve("run.ckpt"), resumedOut = dir.resolve("resumed.safetensors");
        var model = new AdaptedCalderaModel(ModelLoader.load(compressed));
        var tok = model.model().tokenizer();
        var settings = new FinetuneSettings(64, 2, 1e-3, 0.001, 0.02, 1.0, 2, 1, false, false);
        var tuner = new FineTuner(
                        TrainingObjective.of(model.trainingModel(false)),
                        settings,
                        TrainingText.read(t[0], tok, 64, 48).blocks(),
                        TrainingText.read(t[1], tok, 64, 8).blocks())
                .checkpointing(ckpt, 8);
        assertThatThrownBy(() -> tuner.run(
                        s -> {
                            if (s.step() == 10) throw new IOException("killed");
                        },
                        null))
                .hasMessage("killed");
        var resumed = run(finetuneArgs(compressed, t, resumedOut, "--resume", "--checkpoint", ckpt.toString()));
        assertThat(resumed.rc()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resuming at step 8 of 48");
        assertThat(Files.mismatch(adapted, resumedOut)).isEqualTo(-1L);

        // --train-norms: the RMSNorm weights are written back too; Q and the rest are copied unchanged.
        Path withNorms = dir.resolve("norms.safetensors");
        var n = run(finetuneArgs(compressed, t, withNorms, "--train-norms"));
        assertThat(n.rc()).as(n.err()).isZero();
        var src = SafetensorsFile.open(compressed);
        var dst = SafetensorsFile.open(withNorms);
        assertThat(dst.entries().keySet()).isEqualTo(src.entries().keySet());
        for (String name : src.entries().keySet()) {
            boolean same = Arrays.equals(src.byteArray(name), dst.byteArray(name));
            boolean trained = name.endsWith(".Lft.values") || name.endsWith(".Rft.values") || name.contains("norm");
            assertThat(same).as(name).isEqualTo(!trained);
        }
    }

    private static String[] finetuneArgs(Path compressed, Path[] t, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "finetune",
                "--model",
                compressed.toString(),
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
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** Before: an adapted file evaluated later had no bits/weight on record (no compression record of it). */
    @Test
    void theAdaptedFileIsRecordedWithItsSourceBitsAndTheFineTuningSettings(@TempDir Path dir) throws Exception {
        Path[] t = texts(dir);
        Path db = dir.resolve("results.db");
        Path source = dir.resolve("c8.safetensors"), adapted = dir.resolve("c8-ft.safetensors");
        var c = run(
                "compress",
                "--method",
                "caldera",
                "--rank",
                "8",
                "--ft-rank",
                "4",
                "--outer-iters",
                "1",
                "--inner-iters",
                "1",
                "--calib",
                t[0].toString(),
                "--calib-seqs",
                "4",
                "--calib-len",
                "64",
                "--db",
                db.toString(),
                "--model",
                TestData.stories260K().toString(),
                "--out",
                source.toString());
        assertThat(c.rc()).as(c.err()).isZero();
        var r = run(
                "finetune",
                "--model",
                source.toString(),
                "--train",
                t[0].toString(),
                "--block-len",
                "32",
                "--train-blocks",
                "2",
                "--epochs",
                "1",
                "--db",
                db.toString(),
                "--out",
                adapted.toString());
        assertThat(r.rc()).as(r.err()).isZero();
        try (var store = ResultsStore.open(db)) {
            var src =
                    store.compressionByFileHash(ModelHashes.contentHash(source)).orElseThrow();
            var rec = store.compressionByFileHash(ModelHashes.contentHash(adapted))
                    .orElseThrow();
            assertThat(rec.bitsPerWeight()).isEqualTo(src.bitsPerWeight());
            assertThat(rec.method()).isEqualTo("caldera");
            assertThat(rec.params()).containsEntry("ft_rank", "4").containsKey(AdaptedCalderaModel.KEY_FINETUNE);
            assertThat(rec.filePath()).isEqualTo(adapted.toString());
        }
    }

    @Test
    void trainingOnTheHeldOutTextIsRefusedAndAModelWithoutAdapterToo(@TempDir Path dir) throws Exception {
        Path[] t = texts(dir);
        String model = TestData.stories260K().toString(),
                out = dir.resolve("x.safetensors").toString();
        var same = run(
                "finetune", "--model", model, "--train", t[1].toString(), "--heldout", t[1].toString(), "--out", out);
        assertThat(same.rc()).isNotZero();
        assertThat(same.err()).contains("the training text " + t[1] + " shares", "--allow-overlap");
        var plain = run(
                "finetune", "--model", model, "--train", t[0].toString(), "--heldout", t[1].toString(), "--out", out);
        assertThat(plain.rc()).isNotZero();
        assertThat(plain.err()).contains("not a CALDERA model");
        assertThat(Files.exists(dir.resolve("x.safetensors"))).isFalse();
    }

    @Slow
    @Test
    void compressWithFinetuneWritesTheAdaptedModel(@TempDir Path dir) throws Exception {
        Path[] t = texts(dir);
        Path out = dir.resolve("c8ft.safetensors");
        var r = run(
                "compress",
                "--method",
                "caldera",
                "--rank",
                "8",
                "--ft-rank",
                "8",
                "--outer-iters",
                "1",
                "--inner-iters",
                "1",
                "--calib",
                t[0].toString(),
                "--calib-seqs",
                "4",
                "--calib-len",
                "128",
                "--finetune",
                "--no-store",
                "--model",
                TestData.stories260K().toString(),
                "--out",
                out.toString());
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("fine-tuning on train.txt, 4 × 128 tokens: 8 steps", "step 8/8");
        assertThat(CompressedModels.params(ModelLoader.load(out)))
                .containsEntry("ft_rank", "8")
                .containsKey(AdaptedCalderaModel.KEY_FINETUNE);
        var refused = run(
                "compress",
                "--method",
                "caldera",
                "--rank",
                "8",
                "--calib",
                t[0].toString(),
                "--finetune",
                "--no-store",
                "--model",
                TestData.stories260K().toString(),
                "--out",
                out.toString());
        assertThat(refused.rc()).isNotZero();
        assertThat(refused.err()).contains("--finetune needs --method caldera with --ft-rank > 0");
    }

    @Test
    void theCommandLineDefaultsAreFinetuneSettingsDefaults() {
        CommandLine cl = Cli.commandLine();
        cl.parseArgs("finetune", "--model", "m.safetensors", "--train", "t.txt", "--out", "o.safetensors");
        FinetuneCommand c = cl.getSubcommands().get("finetune").getCommand();
        var d = FinetuneSettings.DEFAULTS;
        assertThat(new FinetuneSettings(
                        c.blockLen,
                        c.epochs,
                        c.lr,
                        c.weightDecay,
                        c.warmup,
                        c.clip,
                        c.gradAccum,
                        c.seed,
                        c.trainNorms,
                        c.cosine))
                .isEqualTo(d);
    }
}
