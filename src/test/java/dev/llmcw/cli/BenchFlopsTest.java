package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.Llama2cLoader;
import org.junit.jupiter.api.Test;

/** bench's prefill GFLOP/s counts 2 FLOPs per block-projection weight and token, nothing else. */
class BenchFlopsTest {
    @Test
    void stories260KPrefillFlopsAreTwiceItsProjectionWeightsPerToken() {
        // per layer: q 64·64, k and v 32·64, o 64·64, gate/up/down 3·172·64 = 45 312 weights; 5 layers
        long weights = 5L * (64 * 64 + 2 * 32 * 64 + 64 * 64 + 3 * 172 * 64);
        assertThat(BenchCommand.prefillFlops(Llama2cLoader.load(TestData.stories260K()), 10))
                .isEqualTo(2.0 * weights * 10);
    }
}
