package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ModelLoadException;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compress → file → load round trip, size accounting, metadata, and resume after cancellation. */
class SeedLmMethodTest {
    // small K keeps the search quick; the method is the same for K = 16
    static final SeedLmConfig CFG = new SeedLmConfig(8, 3, 10, ExponentRule.RANGE_FILLING, false);

    static Model synthetic(Path dir) throws Exception {
        var cfg = new ModelConfig(
                "llama", 16, 24, 2, 2, 1, 8, 40, 64, 1e-5f, 10000f, RopeLayout.INTERLEAVED, null, true, false);
        Random r = new Random(9);
        Map<String, Tensor> t = new HashMap<>();
        t.put(WeightNames.EMBED, rand(r, 40, 16));
        t.put(WeightNames.FINAL_NORM, rand(r, 16));
        for (int i = 0; i < 2; i++) {
            t.put(WeightNames.attnNorm(i), rand(r, 16));
            t.put(WeightNames.ffnNorm(i), rand(r, 16));
            t.put(WeightNames.q(i), rand(r, 16, 16));
            t.put(WeightNames.k(i), rand(r, 8, 16));
            t.put(WeightNames.v(i), rand(r, 8, 16));
            t.put(WeightNames.o(i), rand(r, 16, 16));
            t.put(WeightNames.gate(i), rand(r, 24, 16));
            t.put(WeightNames.up(i), rand(r, 24, 16));
            t.put(WeightNames.down(i), rand(r, 16, 24)); // 24 = 3 blocks of 8
        }
        Path src = dir.resolve("source.bin");
        Files.write(src, new byte[] {1, 2, 3});
        return new Model(cfg, t, Map.of(), null, src, "synthetic", "SYNTHETIC test model", Map.of());
    }

    static Tensor rand(Random r, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (0.05 * r.nextGaussian());
        return F32Tensor.of(v, shape);
    }

    @Test
    void roundTripIsBitIdenticalAndSizeIsHonest(@TempDir Path dir) throws Exception {
        Model m = synthetic(dir);
        var method = new SeedLmMethod(CFG, dir.resolve("tok.model"));
        SizeEstimate est = method.estimate(m);
        assertThat(est.compressedParams()).isEqualTo(2 * (16 * 16 * 2 + 8 * 16 * 2 + 24 * 16 * 3));
        assertThat(est.totalBytes()).isEqualTo(expectedPayload(m) + 2L * (40 * 16 + 16 + 4 * 16));
        // bits per compressed weight leave out the 8-byte shape per tensor (bookkeeping, like RTN's grid header); the
        // total counts it
        assertThat(est.bitsPerCompressedWeight())
                .isCloseTo(8.0 * (expectedPayload(m) - 8 * 14) / est.compressedParams(), Offset.offset(1e-12));
        Path out = dir.resolve("m.seedlm.safetensors");
        CompressionReport rep =
                method.compress(m, out, dir.resolve("work"), ProgressListener.NONE, CancellationToken.none());
        assertThat(rep.tensorErrors()).hasSize(14);
        assertThat(rep.tensorErrors())
                .allSatisfy(e -> assertThat(e.relativeError()).isBetween(0.01, 0.5));

        SafetensorsFile f = SafetensorsFile.open(out);
        long payload = f.entries().values().stream()
                .mapToLong(e -> e.end() - e.begin())
                .sum();
        assertThat(payload).isEqualTo(est.totalBytes()); // the file holds exactly the estimated bytes plus its header
        var md = f.metadata();
        assertThat(md.get(CompressedFormat.KEY_METHOD)).isEqualTo("seedlm");
        assertThat(md.get(CompressedFormat.KEY_PARAMS))
                .contains(
                        "\"C\":8", "\"P\":3", "\"K\":10", "\"exponent_rule\":\"range\"", "\"per_tensor_scale\":false");
        assertThat(md.get(CompressedFormat.KEY_SOURCE_HASH)).isEqualTo(Hashing.sha256(m.source()));
        assertThat(md.get(CompressedFormat.KEY_TOKENIZER)).endsWith("tok.model");
        assertThat(md.get(CompressedFormat.KEY_CODE_VERSION)).isNotBlank();

        SeedLmEncoder enc = new SeedLmEncoder(CFG);
        for (boolean onTheFly : new boolean[] {false, true}) {
            Model back = CompressedModels.load(out, onTheFly);
            assertThat(back.config()).isEqualTo(m.config());
            assertThat(back.format()).isEqualTo("seedlm");
            assertThat(back.linears().keySet()).containsExactlyInAnyOrderElementsOf(SeedLmMethod.targets(m));
            // kept tensors are BF16 copies of the source
            Tensor emb = back.tensor(WeightNames.EMBED);
            assertThat(emb.dtype().name()).isEqualTo("BF16");
            assertThat(emb.get(17))
                    .isEqualTo(Half.bf16ToFloat(
                            Half.floatToBf16(m.tensor(WeightNames.EMBED).get(17))));
            if (!onTheFly) {
                for (String name : SeedLmMethod.targets(m)) {
                    float[] fresh = enc.encode(name, m.tensor(name), ProgressListener.NONE, CancellationToken.none())
                            .decode();
                    float[] loaded =
                            ((DenseLinear) back.linears().get(name)).weight().toFloatArray();
                    assertThat(loaded).as(name).containsExactly(fresh);
                }
            }
        }
    }

    private static long expectedPayload(Model m) {
        long b = 0;
        for (String n : SeedLmMethod.targets(m)) {
            Tensor t = m.tensor(n);
            long nb = (long) t.rows() * ((t.cols() + 7) / 8);
            b += (nb * 10 + 7) / 8 + (nb + 1) / 2 + (nb * 3 + 1) / 2 + 8;
        }
        return b;
    }

    @Test
    void cancelledRunResumesToTheIdenticalFile(@TempDir Path dir) throws Exception {
        Model m = synthetic(dir);
        var method = new SeedLmMethod(CFG);
        Path full = dir.resolve("full.safetensors");
        method.compress(m, full, dir.resolve("work-full"), ProgressListener.NONE, CancellationToken.none());

        CancellationToken cancel = new CancellationToken();
        List<String> log = new ArrayList<>();
        ProgressListener cancelAfterThree = (stage, done, total, msg) -> {
            if (total < 0) {
                log.add(stage);
                if (stage.contains("relative error")
                        && log.stream()
                                        .filter(s -> s.contains("relative error"))
                                        .count()
                                == 3) cancel.cancel();
            }
        };
        Path out = dir.resolve("resumed.safetensors");
        Path work = dir.resolve("work");
        assertThatThrownBy(() -> method.compress(m, out, work, cancelAfterThree, cancel))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(out).doesNotExist();
        List<String> log2 = new ArrayList<>();
        List<long[]> bar = Collections.synchronizedList(new ArrayList<>());
        List<String> stages = Collections.synchronizedList(new ArrayList<>());
        method.compress(
                m,
                out,
                work,
                (stage, done, total, msg) -> {
                    if (total < 0) log2.add(stage);
                    else {
                        bar.add(new long[] {done, total});
                        stages.add(stage);
                    }
                },
                CancellationToken.none());
        assertThat(log2.stream().filter(s -> s.startsWith("resumed ")).count()).isEqualTo(3);
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(full));
        // one progress stage over the whole model's blocks (resumed tensors counted as done), not one per tensor
        long blocks = 0;
        for (String n : SeedLmMethod.targets(m))
            blocks += (long) m.tensor(n).rows() * ((m.tensor(n).cols() + 7) / 8);
        long allBlocks = blocks;
        assertThat(stages).containsOnly("seed search");
        assertThat(bar).allSatisfy(b -> assertThat(b[1]).isEqualTo(allBlocks));
        assertThat(bar.getFirst()[0]).isPositive(); // the three resumed tensors come first, already done
        assertThat(bar.getLast()[0]).isEqualTo(allBlocks);
    }

    @Test
    void badFilesNameTheFileAndTheProblem(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("plain.safetensors");
        new SafetensorsWriter()
                .add("x", DType.F32, new long[] {1}, new float[] {1})
                .write(plain);
        assertThatThrownBy(() -> CompressedModels.load(plain, false))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("plain.safetensors")
                .hasMessageContaining("not a compressed model");
        Path unknown = dir.resolve("unknown.safetensors");
        new SafetensorsWriter().metadata(CompressedFormat.KEY_METHOD, "zip").write(unknown);
        assertThatThrownBy(() -> CompressedModels.load(unknown, false))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unknown.safetensors")
                .hasMessageContaining("zip");
        assertThatThrownBy(() -> SeedLmMethod.fromOptions(4, 8, null, null, null, false, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--bits");
        assertThat(SeedLmMethod.fromOptions(3, null, null, null, "printed", true, null)
                        .config())
                .isEqualTo(
                        new SeedLmConfig(12, 4, 16, ExponentRule.PRINTED, true, true)); // presets use the flat layout
    }
}
