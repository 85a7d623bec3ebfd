package dev.llmcw.compress.caldera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.Linear;
import dev.llmcw.testing.RetainedArrays;
import dev.llmcw.util.Json;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CALDERA layers run from their stored form: Q's codes bit-packed (scalar) or as 16-bit E8P indices, the
 * factors L and R packed or BF16, and give the outputs of the layer with decoded float factors (the
 * previous CalderaLinear, restated here) within float rounding (2e-5 of the largest output: the factors'
 * products now sum in vector lanes); the arrays a layer keeps, Hadamard transforms aside
 * (regenerated from the seed, not stored), stay within 10 % of its stored size.
 */
class CalderaPackedTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "scalar,2,4,8,true,row",
        "scalar,3,16,4,false,row",
        "e8p,2,4,8,true,row",
        "scalar,2,3,8,true,tensor",
        "scalar,2,4,0,true,row"
    })
    void packedLayerMatchesTheDecodedFactorsAndKeepsItsStoredSize(
            String quantizer, int qBits, int lrBits, int rank, boolean hadamard, String lrGrid) throws Exception {
        int m = 64, n = 128;
        double[] w = CalderaTest.randomMatrix(m, n, 5).data;
        var o = new CalderaOptions(
                qBits, lrBits, rank, 2, 2, hadamard, quantizer, 99, true, lrGrid, 0, false, CalderaOptions.LR_FIRST);
        var res = Caldera.decompose(w, m, n, Caldera.prepare(CalderaTest.hessian(n, 4), o), o, "t.weight", null, null);
        SafetensorsWriter sw = new SafetensorsWriter().metadata("workbench.params", Json.write(o.asMap()));
        CalderaMethod.write(sw, "t.weight", res);
        Path f = dir.resolve("t.safetensors");
        sw.write(f);
        var stored = CalderaFormat.read(SafetensorsFile.open(f), "t.weight");
        CalderaLinear fly = (CalderaLinear) CalderaFormat.linear(stored, 99, true);

        Random rnd = new Random(3);
        for (int batch : new int[] {1, 3}) {
            float[] x = new float[batch * n];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] got = new float[batch * m], want = new float[batch * m];
            fly.forward(x, 0, got, 0, batch);
            decodedFactorsForward(stored, fly, x, want, batch);
            float scale = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < got.length; i++) {
                // the factors' products sum in vector lanes, the reference in column order: float rounding only
                assertThat(got[i]).as("batch " + batch + " output " + i).isCloseTo(want[i], within(2e-5f * scale));
            }
        }
        long transforms = hadamard
                ? RetainedArrays.bytes(Caldera.transform(99, m)) + RetainedArrays.bytes(Caldera.transform(99, n))
                : 0;
        assertThat(RetainedArrays.bytes(fly) - transforms).isEqualTo(fly.residentBytes());
        assertThat((double) fly.residentBytes()).isLessThanOrEqualTo(1.1 * fly.storageBytes());
    }

    /** The CALDERA layer with L and R decoded to floats (how it ran before), Q through the layer's own Q. */
    private static void decodedFactorsForward(
            CalderaFormat.Stored s, CalderaLinear fly, float[] x, float[] y, int batch) throws Exception {
        int rows = s.rows(), cols = s.cols(), rank = s.rank();
        RandomizedHadamard tm = s.hadamard() ? Caldera.transform(99, rows) : null;
        RandomizedHadamard tn = s.hadamard() ? Caldera.transform(99, cols) : null;
        var qField = CalderaLinear.class.getDeclaredField("q");
        qField.setAccessible(true);
        Linear q = (Linear) qField.get(fly);
        float[] xr = x.clone();
        if (tn != null) for (int b = 0; b < batch; b++) tn.apply(xr, b * cols, new double[cols]);
        float[] yr = new float[batch * rows];
        q.forward(xr, 0, yr, 0, batch);
        if (rank > 0) {
            float[] l = floats(s.l().decode()), r = floats(s.r().decode()), z = new float[batch * rank];
            for (int k = 0; k < rank; k++)
                for (int b = 0; b < batch; b++) {
                    float acc = 0;
                    for (int c = 0; c < cols; c++) acc += r[k * cols + c] * xr[b * cols + c];
                    z[b * rank + k] = acc;
                }
            for (int i = 0; i < rows; i++)
                for (int b = 0; b < batch; b++) {
                    float acc = 0;
                    for (int k = 0; k < rank; k++) acc += l[i * rank + k] * z[b * rank + k];
                    yr[b * rows + i] += acc;
                }
        }
        if (tm != null) for (int b = 0; b < batch; b++) tm.applyTranspose(yr, b * rows, new double[rows]);
        for (int i = 0; i < batch * rows; i++) y[i] = s.g() * yr[i];
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
