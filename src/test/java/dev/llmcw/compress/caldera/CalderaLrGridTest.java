package dev.llmcw.compress.caldera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Factor grids per row, per group or per tensor: stored as counted, to the bit, and read back to the same matrix. */
class CalderaLrGridTest {
    private static final int M = 24, N = 40, K = 8;

    private static CalderaOptions opts(String grid, int group) {
        return new CalderaOptions(2, 4, K, 2, 2, true, "scalar", 5, false, grid, group, false, CalderaOptions.LR_FIRST);
    }

    @Test
    void eachFactorGridIsStoredAsCountedAndDecodesToTheResult(@TempDir Path dir) throws Exception {
        double[] w = CalderaTest.randomMatrix(M, N, 21).data;
        var h = CalderaTest.hessian(N, 22);
        long[] bits = new long[3];
        String[] grids = {CalderaOptions.ROW, CalderaOptions.GROUP, CalderaOptions.TENSOR};
        for (int i = 0; i < grids.length; i++) {
            var o = opts(grids[i], 16);
            var res = Caldera.decompose(w, M, N, Caldera.prepare(h, o), o, "w", null, null);
            SafetensorsWriter part = new SafetensorsWriter();
            CalderaMethod.write(part, "w", res);
            Path file = dir.resolve(grids[i] + ".safetensors");
            part.write(file);
            var stored = CalderaFormat.read(SafetensorsFile.open(file), "w");
            long storedBits = QuantizerIO.storedBits(stored.q())
                    + QuantizerIO.storedBits(stored.l())
                    + QuantizerIO.storedBits(stored.r())
                    + 32
                    + 5 * 32;
            bits[i] = new CalderaMethod(o, null).tensorBits(M, N);
            assertThat(bits[i]).as(grids[i]).isEqualTo(storedBits);
            assertThat(CalderaFormat.decode(stored, o.seed())).as(grids[i]).containsExactly(res.decode(), offset(1e-6));
        }
        // factor grid overhead: per row (M + K rows) vs per group of 16 (⌈8/16⌉ per L row, ⌈40/16⌉ per R row) vs one
        // per factor
        int perGrid = 16 + 4; // FP16 scale + 4-bit zero
        assertThat(bits[0] - bits[2]).isEqualTo((long) (M + K) * perGrid - 2L * perGrid);
        assertThat(bits[1] - bits[2]).isEqualTo((long) (M * 1 + K * 3) * perGrid - 2L * perGrid);
    }

    @Test
    void theDescriptorOffersTheGridsAndRecordsThem(@TempDir Path dir) {
        var d = MethodRegistry.get("caldera");
        var method = (CalderaMethod) d.create(Map.of("lr_grid", "group", "lr_group", "32", "calib", "c.txt"), dir, dir);
        assertThat(method.options().lrGrid()).isEqualTo("group");
        assertThat(method.parameters()).containsEntry("lr_grid", "group").containsEntry("lr_group", "32");
        assertThat(d.label(method.parameters())).contains("LR/group32");
        assertThat(((CalderaMethod) d.create(Map.of("calib", "c.txt"), dir, dir)).parameters())
                .doesNotContainKey("lr_grid");
        double row = d.bitsPerWeight(d.arguments(Map.of(), dir, null), 64, 172);
        double tensor = d.bitsPerWeight(d.arguments(Map.of("lr_grid", "tensor"), dir, null), 64, 172);
        assertThat(row - tensor)
                .isCloseTo((64.0 + 64 - 2) * 20 / (64 * 172), offset(1e-12)); // rank 64 capped at 64 rows
        assertThatThrownBy(() -> d.create(Map.of("lr_grid", "tensor", "lr_bits", "16", "calib", "c.txt"), dir, dir))
                .hasMessageContaining("lr_grid tensor")
                .hasMessageContaining("float");
    }
}
