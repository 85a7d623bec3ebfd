package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import org.junit.jupiter.api.Test;

/** The deployment protocol on stories260K: it runs, and its memory figures are the model's own sizes. */
class DeploymentProbeTest {
    @Test
    void measuresSpeedAndTheMemoryTheModelNeeds() {
        Model m = ModelLoader.load(TestData.stories260K());
        DeploymentProbe.Result r = DeploymentProbe.measure(m);
        assertThat(r.prefillTokS()).isPositive().isFinite();
        assertThat(r.decodeTokS()).isPositive().isFinite();
        // dense F32 weights are held as stored: the engine's bytes are the file's tensors
        assertThat(r.weightBytes()).isEqualTo(m.weightBytes());
        var c = m.config();
        // keys and values of every layer for the protocol's context, in floats
        assertThat(r.kvCacheBytes())
                .isEqualTo(2L
                        * c.nLayers()
                        * c.kvDim()
                        * Float.BYTES
                        * (DeploymentProbe.PREFILL + DeploymentProbe.DECODE));
        assertThat(r.modelBytes()).isEqualTo(r.weightBytes() + r.kvCacheBytes());
        assertThat(r.threads()).isPositive();
    }
}
