package dev.llmcw.compress.caldera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.calibration.Calibration;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.testing.Slow;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QuIP# is CALDERA at rank 0 with E8P12 and the Hadamard transform, under its own name. */
class QuipSharpTest {
    private static final String TEXT =
            "Once upon a time, there was a little girl named Lily. She liked to play outside with her dog.";

    @Test
    void isRegisteredAsItsOwnMethodWithThePapersLabel() {
        var d = MethodRegistry.get("quip-sharp");
        assertThat(d).isInstanceOf(QuipSharpDescriptor.class);
        assertThat(d.displayName()).isEqualTo("QuIP#");
        assertThat(d.format().method()).isEqualTo("quip-sharp");
        assertThat(d.colour()).isNotEqualTo(MethodRegistry.get("caldera").colour());
        assertThat(MethodRegistry.label("quip-sharp", Map.of("bits", "2"))).isEqualTo("QuIP# 2-bit");
        assertThat(d.needsCalibration()).isTrue();
        assertThatThrownBy(() -> d.arguments(Map.of("bits", "4", "calib", "c.txt"), Path.of(""), null))
                .hasMessageContaining("bits");
        assertThatThrownBy(() -> d.arguments(Map.of("rank", "8"), Path.of(""), null))
                .hasMessageContaining("unknown parameter(s) [rank]");
    }

    @Slow
    @Test
    void compressesStories260KAtTwoBitsLikeCalderaRankZero(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        int[] seq = model.tokenizer().encode(TEXT);
        var set = Calibration.capture(model, List.of(seq), Calibration.ENGINE, "test sentence", null, null);
        long seed = 0x5eed;
        var quip = new QuipSharpMethod(QuipSharpDescriptor.options(seed), CalibrationSpec.precomputed(set));
        // CALDERA rank 0 with the same settings, from CALDERA's own descriptor defaults.
        CalderaOptions rank0 = CalderaDescriptor.options(
                Map.of("rank", "0", "q_bits", "2", "quantizer", "e8p", "seed", Long.toString(seed), "calib", "c.txt"));
        var caldera = new CalderaMethod(rank0, CalibrationSpec.precomputed(set));

        var est = quip.estimate(model);
        // E8P12: 2 bits per weight plus one F32 scale, the F32 RMS scale and the header per matrix; the
        // 172-wide down projections are padded to 176 columns.
        assertThat(est.bitsPerCompressedWeight()).isBetween(2.0, 2.1);
        assertThat(est.bitsPerCompressedWeight())
                .isEqualTo(caldera.estimate(model).bitsPerCompressedWeight());

        Path qf = dir.resolve("quip.safetensors"), cf = dir.resolve("caldera.safetensors");
        var rq = quip.compress(model, qf, dir.resolve("wq"), null, null);
        caldera.compress(model, cf, dir.resolve("wc"), null, null);
        assertThat(rq.method()).isEqualTo("quip-sharp");
        assertThat(rq.parameters()).containsEntry("bits", "2").doesNotContainKey("rank");
        assertThat(MethodRegistry.label(rq.method(), rq.parameters())).isEqualTo("QuIP# 2-bit kept bf16");
        assertThat(SafetensorsFile.open(qf).entries().keySet())
                .anyMatch(n -> n.endsWith(".quip-sharp.info"))
                .noneMatch(n -> n.contains(".caldera."));

        Model q = CompressedModels.load(qf, true), c = CompressedModels.load(cf, true);
        assertThat(q.format()).isEqualTo("quip-sharp");
        assertThat(q.linears()).hasSize(35);
        int bos = model.tokenizer().bosId();
        double pq = perplexity(q, bos, seq), pc = perplexity(c, bos, seq), base = perplexity(model, bos, seq);
        assertThat(pq).isEqualTo(pc); // the same Q, bit for bit
        assertThat(pq).isGreaterThan(base * 0.9).isFinite();
        // The on-the-fly and dense readings agree.
        assertThat(perplexity(CompressedModels.load(qf, false), bos, seq)).isCloseTo(pq, withPercentage(0.1));
    }

    private static double perplexity(Model m, int bos, int[] seq) {
        var p = new Perplexity(new LlamaEngine(m), bos, 256);
        p.add(seq);
        return p.result().perplexity();
    }
}
