package dev.llmcw.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.hf.HfFolderWriter;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A context length is a promise about positions, not a size to allocate: a config declaring 2^31-1
 * positions loads and scores with memory that follows the tokens actually processed.
 */
class HugeContextLengthTest {
    @TempDir
    Path tmp;

    @Test
    void aContextLengthOfIntMaxLoadsAndScoresLikeTheModel() throws Exception {
        Model src = ModelLoader.load(TestData.stories260K());
        ModelConfig c = src.config();
        var huge = new ModelConfig(
                c.architecture(),
                c.dim(),
                c.hiddenDim(),
                c.nLayers(),
                c.nHeads(),
                c.nKvHeads(),
                c.headDim(),
                c.vocabSize(),
                Integer.MAX_VALUE,
                c.rmsEps(),
                c.ropeTheta(),
                c.ropeLayout(),
                c.ropeScaling(),
                c.tiedEmbeddings(),
                c.attentionBias());
        Path dir = tmp.resolve("huge-context");
        HfFolderWriter.write(
                new Model(huge, src.tensors(), src.linears(), null, src.source(), "t", "t", src.metadata()),
                dir,
                HfFolderWriter.Options.of(DType.F32));
        Model m = ModelLoader.load(dir);
        assertThat(m.config().maxSeqLen()).isEqualTo(Integer.MAX_VALUE);
        Model same = ModelLoader.load(dir).withTokenizer(null);
        int[] ctx = {1, 300, 301, 302};
        int[][] conts = {{40, 41, 42}, {7}};
        var got = new LlamaEngine(m).score(ctx, conts, false);
        var want = new LlamaEngine(same, 2048).score(ctx, conts, false);
        for (int i = 0; i < conts.length; i++) assertThat(got[i].sum()).isEqualTo(want[i].sum());
        var ppl = new Perplexity(new LlamaEngine(m), 1, Integer.MAX_VALUE);
        ppl.add(new int[] {300, 301, 302, 40, 41});
        assertThat(ppl.result().tokens()).isEqualTo(5);
        assertThat(Double.isFinite(ppl.result().nll())).isTrue();
    }
}
