package dev.llmcw.compress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every method stores the tensors it does not compress under the same policy, counted the same way. */
class KeptTensorsPolicyTest {
    /** Each method at its cheapest setting on stories260K. */
    private static Map<String, Map<String, String>> cheapest(Path calib) {
        Map<String, String> cal = Map.of("calib", calib.toString(), "calib_seqs", "2", "calib_len", "16");
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("rtn", Map.of("bits", "2", "group", "64"));
        var gptq = new HashMap<>(cal);
        gptq.putAll(Map.of("bits", "2", "group", "64"));
        m.put("gptq", gptq);
        var awq = new HashMap<>(cal);
        awq.putAll(Map.of("bits", "2", "group", "64", "alpha_grid", "2"));
        m.put("awq", awq);
        var caldera = new HashMap<>(cal);
        caldera.putAll(Map.of("rank", "0", "outer_iters", "1", "inner_iters", "0"));
        m.put("caldera", caldera);
        m.put("seedlm", Map.of("C", "4", "P", "1", "K", "8"));
        return m;
    }

    @Test
    void everyMethodKeepsTheSameBytesUnderTheDefaultPolicy(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        Path calib = TestData.require("datasets/tinystories/tinystories_val_subset.txt");
        Map<String, Long> kept = new LinkedHashMap<>();
        for (var e : cheapest(calib).entrySet()) {
            String id = e.getKey();
            CompressionMethod method = MethodRegistry.get(id).create(e.getValue(), dir, dir.resolve("h"));
            Path out = dir.resolve(id + ".safetensors");
            CompressionReport rep = method.compress(
                    model, out, dir.resolve(id + ".work"), ProgressListener.NONE, CancellationToken.none());
            assertThat(rep.parameters()).as(id).containsEntry("keep_dtype", "bf16");
            SafetensorsFile f = SafetensorsFile.open(out);
            assertThat(f.metadata().get(CompressedFormat.KEY_PARAMS)).as(id).contains("\"keep_dtype\":\"bf16\"");
            long bytes = 0;
            for (var entry : f.entries().values()) {
                if (entry.name().contains("." + id + ".")) continue;
                assertThat(entry.dtype()).as(id + " " + entry.name()).isEqualTo("BF16");
                bytes += entry.end() - entry.begin();
            }
            kept.put(id, bytes);
            // the whole-model total counts exactly these kept bytes
            long compressedBits =
                    Math.round(rep.size().bitsPerCompressedWeight() * rep.size().compressedParams());
            assertThat(rep.size().totalBytes()).as(id).isGreaterThanOrEqualTo(bytes + compressedBits / 8);
            assertThat(rep.size().convention()).as(id).contains("kept tensors bf16");
        }
        long keptParams = 0;
        for (var t : model.tensors().entrySet()) {
            if (!WeightNames.blockLinearWeights(model.config().nLayers()).contains(t.getKey()))
                keptParams += t.getValue().numel();
        }
        assertThat(kept.values()).as(kept.toString()).containsOnly(2 * keptParams);
    }

    @Test
    void f32PolicyDoublesTheKeptBytes(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        Map<String, Long> total = new HashMap<>();
        for (String dtype : new String[] {"bf16", "f32"}) {
            var method =
                    MethodRegistry.get("rtn").create(Map.of("bits", "2", "group", "64", "keep_dtype", dtype), dir, dir);
            total.put(dtype, method.estimate(model).totalBytes());
            var rep = method.compress(
                    model,
                    dir.resolve(dtype + ".safetensors"),
                    dir.resolve(dtype + ".work"),
                    ProgressListener.NONE,
                    null);
            assertThat(rep.parameters()).containsEntry("keep_dtype", dtype);
            Model back = CompressedModels.load(dir.resolve(dtype + ".safetensors"), true);
            assertThat(back.tensor(WeightNames.EMBED).dtype().name()).isEqualTo(dtype.toUpperCase());
        }
        long keptParams = 0;
        for (var t : model.tensors().entrySet()) {
            if (!WeightNames.blockLinearWeights(model.config().nLayers()).contains(t.getKey()))
                keptParams += t.getValue().numel();
        }
        assertThat(total.get("f32") - total.get("bf16")).isEqualTo(2 * keptParams);
        assertThat(MethodRegistry.get("rtn").label(Map.of("bits", "2", "group", "64", "keep_dtype", "f32")))
                .isEqualTo("2b g64 kept f32");
    }
}
