package dev.llmcw.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.hf.HfFolderWriter;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stories260K loaded three ways — the llama2.c checkpoint, the same weights written by our writers as
 * a Hugging Face folder (q/k permuted to rotate-half) and as GGUF — must give the same logits.
 */
class LoadersAgreeTest {
    private static final int[] TOKENS = {1, 403, 407, 261, 378, 280, 370, 263, 300, 395, 267, 271, 353, 262, 400, 266};

    @Test
    void llama2cHfAndGgufGiveIdenticalLogits(@TempDir Path tmp) throws Exception {
        Model l2c = ModelLoader.load(TestData.stories260K());
        Path hf = tmp.resolve("hf");
        HfFolderWriter.write(l2c, hf, HfFolderWriter.Options.of(DType.F32));
        Path gguf = tmp.resolve("stories.gguf");
        GgufModelWriter.write(l2c, gguf, DType.F32);

        Model fromHf = ModelLoader.load(hf);
        Model fromGguf = ModelLoader.load(gguf);
        assertThat(fromHf.config().ropeLayout()).isEqualTo(RopeLayout.ROTATE_HALF);
        assertThat(fromGguf.config().ropeLayout()).isEqualTo(RopeLayout.INTERLEAVED);

        float[][] ref = new LlamaEngine(l2c).logits(TOKENS);
        float[][] hfLogits = new LlamaEngine(fromHf).logits(TOKENS);
        float[][] ggufLogits = new LlamaEngine(fromGguf).logits(TOKENS);
        // Same float32 weights and the same arithmetic order per layout: allow only rounding noise
        // from the RoPE pairing order (1e-5 absolute on logits of magnitude ~10).
        assertThat(maxAbsDiff(ref, ggufLogits)).isLessThan(1e-5);
        assertThat(maxAbsDiff(ref, hfLogits)).isLessThan(1e-4);
    }

    private static double maxAbsDiff(float[][] a, float[][] b) {
        assertThat(b.length).isEqualTo(a.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i].length).isEqualTo(a[i].length);
            for (int j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
        }
        return m;
    }
}
