package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecodeRooflineTest {
    @Test
    void readBandwidthIsAFiniteRate() {
        assertThat(MemoryBandwidth.read(8, 2)).isPositive().isFinite();
        assertThatThrownBy(() -> MemoryBandwidth.read(0, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The random matrices hold finite values (random F32 bits would be NaN now and then) and fit the L2 budget. */
    @Test
    void randomMatricesAreFiniteWeights() {
        for (DType type : DecodeRoofline.KERNEL_TYPES) {
            Tensor w = DecodeRoofline.random(type, 4, 64, new SplittableRandom(1));
            assertThat(w.dtype()).isEqualTo(type);
            for (long i = 0; i < 4 * 64; i++)
                assertThat(w.get(i)).as(type + " weight " + i).isFinite();
        }
    }

    @Test
    void kernelRateTakesTheDecodePathOfEachType() {
        for (DType type : DecodeRoofline.KERNEL_TYPES) {
            var r = DecodeRoofline.kernelRate(type, 64, 0.02);
            assertThat(r.weightsPerSecond()).as(type.name()).isPositive().isFinite();
            assertThat(r.path())
                    .isEqualTo(type == DType.Q8_0 || type == DType.Q4_0 ? "integer (Q8 activations)" : "float");
            assertThat(type.bytesFor((long) r.rows() * r.cols())).isLessThanOrEqualTo(256 << 10);
            assertThat(r.bytesPerSecond())
                    .isCloseTo(r.weightsPerSecond() * type.bytesFor(32) / 32, within(1e-6 * r.bytesPerSecond()));
        }
        assertThatThrownBy(() -> DecodeRoofline.kernelRate(DType.Q4_K, 256, 0.02))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** On a model's own matrix: whole blocks of 32 rows within the L2 budget, at least 32, the decode path of its type. */
    @Test
    void kernelRateOnAModelMatrixTakesItsFirstRows() {
        Tensor w = DecodeRoofline.random(DType.Q4_0, 100, 64, new SplittableRandom(2));
        var r = DecodeRoofline.kernelRate(w, 0.02);
        assertThat(r.rows()).isEqualTo(96);
        assertThat(r.cols()).isEqualTo(64);
        assertThat(r.path()).isEqualTo("integer (Q8 activations)");
        assertThat(r.weightsPerSecond()).isPositive().isFinite();
        assertThatThrownBy(() -> DecodeRoofline.kernelRate(
                        DecodeRoofline.random(DType.F32, 8, 64, new SplittableRandom(3)), 0.02))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
