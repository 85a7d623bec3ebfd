package dev.llmcw.ui.finetune;

import dev.llmcw.TestData;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.ui.WorkbenchViewModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Texts and a CALDERA rank 8, ft_rank 8 stories260K model made through the Compress form, for fine-tuning tests. */
public final class FinetuneFixture {
    private FinetuneFixture() {}

    /** Training stories 0..199 and held-out stories 3000..3099 of the TinyStories validation subset. */
    public static Path[] texts(Path dir) throws IOException {
        String all = Files.readString(
                TestData.require("datasets/tinystories/tinystories_val_subset.txt"), StandardCharsets.UTF_8);
        List<String> stories = Perplexity.split(all, Perplexity.Documents.BLANK_LINE);
        Path train = dir.resolve("train.txt"), held = dir.resolve("heldout.txt");
        Files.writeString(train, String.join("\n\n", stories.subList(0, 200)));
        Files.writeString(held, String.join("\n\n", stories.subList(3000, 3100)));
        return new Path[] {train, held};
    }

    /** Compresses the session's base model with CALDERA rank 8, ft_rank 8 (a short schedule) in the Compress form. */
    public static void compressCaldera(WorkbenchViewModel vm, Path calib) {
        var c = vm.compress();
        c.methodProperty()
                .set(c.methods().stream()
                        .filter(m -> m.name().equals("caldera"))
                        .findFirst()
                        .orElseThrow());
        for (String[] kv : new String[][] {
            {"rank", "8"},
            {"ft_rank", "8"},
            {"q_bits", "2"},
            {"lr_bits", "4"},
            {"outer_iters", "2"},
            {"inner_iters", "2"},
            {"calib", calib.toString()},
            {"calib_seqs", "8"},
            {"calib_len", "128"}
        }) c.field(kv[0]).valueProperty().set(kv[1]);
        c.compress();
    }

    /** A few steps: 4 training blocks, one epoch, the held-out loss every 2 steps. */
    public static void shortSchedule(FinetuneViewModel f, Path[] texts) {
        f.trainTextProperty().set(texts[0].toString());
        f.heldOutTextProperty().set(texts[1].toString());
        f.trainBlocksProperty().set("4");
        f.epochsProperty().set("1");
        f.evalEveryProperty().set("2");
    }
}
