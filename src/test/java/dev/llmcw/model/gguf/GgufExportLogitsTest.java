package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.hf.HfFolderWriter;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter's Q/K permutation checked through the engine: a rotate-half (Hugging Face) copy of
 * stories260K exported to GGUF (permuted to interleaved) must give the llama2.c model's logits, and a
 * Q8_0 export must stay close to them.
 */
class GgufExportLogitsTest {
    private static final int[] TOKENS = {1, 403, 407, 261, 378, 280, 370, 263, 300, 395, 267, 271};

    @Test
    void rotateHalfModelExportedToGgufKeepsItsLogits(@TempDir Path tmp) throws Exception {
        Model l2c = ModelLoader.load(TestData.stories260K());
        Path hf = tmp.resolve("hf");
        HfFolderWriter.write(l2c, hf, HfFolderWriter.Options.of(DType.F32));
        Model fromHf = ModelLoader.load(hf);
        assertThat(fromHf.config().ropeLayout()).isEqualTo(RopeLayout.ROTATE_HALF);
        Path gguf = tmp.resolve("from-hf.gguf");
        GgufModelWriter.write(fromHf, gguf, DType.F32);
        Model back = ModelLoader.load(gguf);
        assertThat(back.config().ropeLayout()).isEqualTo(RopeLayout.INTERLEAVED);

        float[][] ref = new LlamaEngine(l2c).logits(TOKENS);
        assertThat(maxAbsDiff(ref, new LlamaEngine(back).logits(TOKENS))).isLessThan(1e-4);

        Path q8 = tmp.resolve("q8.gguf");
        GgufModelWriter.write(l2c, q8, DType.Q8_0);
        double d = maxAbsDiff(ref, new LlamaEngine(ModelLoader.load(q8)).logits(TOKENS));
        assertThat(d).isGreaterThan(0).isLessThan(0.5);
    }

    private static double maxAbsDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
        }
        return m;
    }
}
