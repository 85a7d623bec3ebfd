package dev.llmcw.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.testing.Slow;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compression done in tensor shards by separate method instances (as separate cluster jobs do it: the
 * calibration pass first, then each shard's tensors, then the assembly) writes the very bytes one local
 * {@code compress} writes, on stories260K: RTN 4-bit, SeedLM 4-bit-like (K=8 to keep it short), GPTQ 4-bit
 * and CALDERA rank 8 per layer from one cached calibration pass.
 */
class PartwiseCompressionTest {
    private static final String CALIB = "datasets/tinystories/tinystories_val_subset.txt";

    @Test
    void shardsAreWholeConsecutiveLayers() {
        List<String> targets = WeightNames.blockLinearWeights(5);
        List<List<String>> two = TensorGroups.split(targets, 2);
        assertThat(two).hasSize(2);
        assertThat(two.get(0)).hasSize(14).allMatch(n -> List.of("0", "1").contains(WeightNames.layerOf(n)));
        assertThat(two.get(1)).hasSize(21).allMatch(n -> List.of("2", "3", "4").contains(WeightNames.layerOf(n)));
        assertThat(two.stream().flatMap(List::stream).toList()).isEqualTo(targets);
        assertThat(TensorGroups.split(targets, 9)).hasSize(5);
        assertThat(TensorGroups.shard(targets, 7, 9)).isEmpty();
        assertThatThrownBy(() -> TensorGroups.split(targets, 0)).hasMessageContaining("≥ 1");
    }

    @Test
    void rtnInShardsIsByteIdentical(@TempDir Path dir) throws Exception {
        assertShardedEqualsLocal(dir, "rtn", Map.of("bits", "4", "group", "64"), 3, false);
    }

    @Test
    void seedLmInShardsIsByteIdentical(@TempDir Path dir) throws Exception {
        assertShardedEqualsLocal(dir, "seedlm", Map.of("C", "8", "P", "3", "K", "8"), 2, false);
    }

    @Test
    void gptqPerLayerFromOneCachedCalibrationIsByteIdentical(@TempDir Path dir) throws Exception {
        assertShardedEqualsLocal(dir, "gptq", calibrated(Map.of("bits", "4", "group", "64")), 5, true);
    }

    @Test
    @Slow
    void calderaPerLayerFromOneCachedCalibrationIsByteIdentical(@TempDir Path dir) throws Exception {
        assertShardedEqualsLocal(dir, "caldera", calibrated(Map.of("rank", "8")), 5, true);
    }

    private static Map<String, String> calibrated(Map<String, String> params) {
        var m = new LinkedHashMap<>(params);
        m.put("calib", TestData.require(CALIB).toString());
        m.put("calib_seqs", "4");
        m.put("calib_len", "64");
        return m;
    }

    private static PartwiseCompression method(String name, Map<String, String> params, Path hessians) {
        return (PartwiseCompression) MethodRegistry.get(name).create(params, hessians.getParent(), hessians);
    }

    private static void assertShardedEqualsLocal(
            Path dir, String name, Map<String, String> params, int shards, boolean calibrated) throws Exception {
        Path modelFile = TestData.stories260K();
        Model model = ModelLoader.load(modelFile);
        Path local = dir.resolve("local.safetensors");
        method(name, params, dir.resolve("hessians-local"))
                .compress(model, local, dir.resolve("work-local"), ProgressListener.NONE, CancellationToken.none());

        Path cache = dir.resolve("hessians-shared"), work = dir.resolve("work-shards");
        PartwiseCompression first = method(name, params, cache);
        String modelHash = CalibrationSpec.modelHash(model);
        if (calibrated) {
            assertThat(first.sharedInputReady(model)).isFalse();
            first.prepareShared(model, ProgressListener.NONE, CancellationToken.none());
            assertThat(first.sharedInputKey(modelHash)).hasSize(24);
            assertThat(first.sharedInputFolder(modelHash)).isDirectory().hasFileName(first.sharedInputKey(modelHash));
        } else assertThat(first.sharedInputKey(modelHash)).isNull();
        assertThat(first.sharedInputReady(model)).isTrue();
        List<List<String>> groups = TensorGroups.split(first.partTargets(model), shards);
        assertThat(groups).hasSize(shards);
        for (List<String> g : groups)
            method(name, params, cache).compressParts(model, g, work, ProgressListener.NONE, CancellationToken.none());
        PartwiseCompression assembler = method(name, params, cache);
        Path sharded = dir.resolve("sharded.safetensors");
        CompressionReport report =
                assembler.compress(model, sharded, work, ProgressListener.NONE, CancellationToken.none());

        assertThat(Files.readAllBytes(sharded)).isEqualTo(Files.readAllBytes(local));
        if (assembler instanceof PerTensorCompression p) {
            // the assembly computed nothing: every tensor came from a shard's part, no calibration ran
            assertThat(p.timings()).allMatch(PerTensorCompression.TensorTiming::resumed);
            assertThat(p.prepareWallSeconds()).isZero();
        }
        assertThat(report.tensorErrors()).hasSize(first.partTargets(model).size());
    }
}
