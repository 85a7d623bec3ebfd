package dev.llmcw.compress.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calibration statistics captured a few layers per pass (on the model cut after the last of them) and read
 * back one group at a time are the very bits of a single pass over every layer: what lets a Llama-3.2-1B be
 * calibrated under -Xmx4g without changing any compressed file.
 */
class StreamedCalibrationTest {
    @TempDir
    Path dir;

    @Test
    void passesOverSomeLayersSumTheSameBitsAsOnePassAndStreamBackOneGroupAtATime() throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        int layers = model.config().nLayers();
        assertThat(layers).isGreaterThanOrEqualTo(3);
        List<int[]> seqs = Calibration.sequences(
                TestData.require("datasets/tinystories/tinystories_val_subset.txt"), model.tokenizer(), 3, 48);
        HessianSet whole = Calibration.capture(model, seqs, Calibration.ENGINE, "whole", null, null);

        HessianCache cache = new HessianCache(dir);
        List<String> keys = new ArrayList<>();
        int[] cuts = {0, 1, layers - 1, layers}; // a first pass of one layer, a middle one, the last layer alone
        for (int i = 0; i + 1 < cuts.length; i++) {
            HessianSet part =
                    Calibration.capture(model, seqs, Calibration.ENGINE, "whole", null, null, cuts[i], cuts[i + 1]);
            assertThat(part.groupKeys()).hasSize(4 * (cuts[i + 1] - cuts[i]));
            cache.saveGroups("k", part);
            keys.addAll(part.groupKeys());
        }
        cache.markComplete("k", keys, "whole");
        HessianSet streamed = cache.loadStreamed("k");

        assertThat(streamed.isStreamed()).isTrue();
        assertThat(streamed.hasAbsSums()).isTrue();
        assertThat(streamed.groupKeys()).isEqualTo(whole.groupKeys());
        assertThatThrownBy(streamed::groups).isInstanceOf(IllegalStateException.class);
        for (String name : WeightNames.blockLinearWeights(layers)) {
            HessianAccumulator a = whole.forWeight(name), b = streamed.forWeight(name);
            assertThat(b.count()).as(name).isEqualTo(a.count()).isEqualTo(3 * 48);
            assertThat(b.rawSum()).as(name).containsExactly(a.rawSum());
            assertThat(b.absSum()).as(name).containsExactly(a.absSum());
        }
    }

    @Test
    void theBudgetDecidesHowManyLayersAPassHolds() throws Exception {
        var c = ModelLoader.load(TestData.stories260K()).config();
        long perLayer = Calibration.hessianBytes(c, 0, 1);
        // q/k/v and gate/up read dim inputs, o reads the heads' output, down the MLP's hidden units
        assertThat(perLayer)
                .isEqualTo(8L
                        * (2L * c.dim() * c.dim() + (long) c.qDim() * c.qDim() + (long) c.hiddenDim() * c.hiddenDim()));
        assertThat(Calibration.hessianBytes(c, 1, 4)).isEqualTo(3 * perLayer);
        assertThat(Calibration.layersPerPass(c, 1)).isEqualTo(1);
        assertThat(Calibration.layersPerPass(c, 2 * perLayer + 1)).isEqualTo(2);
        assertThat(Calibration.layersPerPass(c, Long.MAX_VALUE)).isEqualTo(c.nLayers());
        Model model = ModelLoader.load(TestData.stories260K());
        assertThatThrownBy(() -> Calibration.instrument(model, 2, 2))
                .hasMessageContaining("outside the model's " + c.nLayers() + " layers");
    }
}
