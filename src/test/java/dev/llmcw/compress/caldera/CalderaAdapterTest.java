package dev.llmcw.compress.caldera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.compress.quant.FloatQuantizer;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Json;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalderaAdapterTest {
    private static final int M = 24, N = 40;

    private static CalderaResult decompose(CalderaOptions o) {
        double[] w = CalderaTest.randomMatrix(M, N, 3).data;
        return Caldera.decompose(w, M, N, Caldera.prepare(CalderaTest.hessian(N, 4), o), o, "t.weight", null, null);
    }

    private static CalderaOptions options(int lrBits) {
        return new CalderaOptions(
                2, lrBits, 8, 2, 2, true, "scalar", 99, true, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST);
    }

    @ParameterizedTest
    @CsvSource({"4,4", "4,8", "16,3"})
    void theLeadingComponentsAreTheDecompositionsFactorsInBf16AndTheFileKeepsThem(int lrBits, int ft, @TempDir Path dir)
            throws Exception {
        var o = options(lrBits);
        var res = decompose(o);
        var split = CalderaAdapter.split(res, ft, o);
        int k = o.rank();
        // Leading columns of L / rows of R: the decomposition's (grid) values rounded to BF16, nothing else.
        for (int i = 0; i < M; i++)
            for (int j = 0; j < ft; j++)
                assertThat(split.adapter().l().values()[i * ft + j])
                        .isEqualTo(FloatQuantizer.round(res.l().get(i, j), 16));
        for (int j = 0; j < ft * N; j++)
            assertThat(split.adapter().r().values()[j]).isEqualTo(FloatQuantizer.round(res.r().data[j], 16));
        if (ft == k) assertThat(split.lRest()).isNull();
        else {
            // The rest, refitted on its own per-row grids, stays within half a grid step of the values it had.
            double[] lRest = split.lRest().decode();
            for (int i = 0; i < M; i++)
                for (int j = 0; j < k - ft; j++)
                    assertThat(lRest[i * (k - ft) + j]).isCloseTo(res.l().get(i, j + ft), offset(0.25));
        }
        var stored = new CalderaFormat.Stored(
                M, N, k, true, (float) res.scale(), res.qQuant(), split.lRest(), split.rRest(), N, split.adapter());
        SafetensorsWriter sw = new SafetensorsWriter().metadata("workbench.params", Json.write(o.asMap()));
        CalderaMethod.write(sw, "t.weight", stored);
        Path f = dir.resolve("t.safetensors");
        sw.write(f);
        SafetensorsFile file = SafetensorsFile.open(f);
        var back = CalderaFormat.read(file, "t.weight");
        assertThat(back.adapter().ftRank()).isEqualTo(ft);
        assertThat(back.quantizedRank()).isEqualTo(k - ft);
        double[] decoded = CalderaFormat.decode(back, 99);
        assertThat(decoded).containsExactly(CalderaFormat.decode(stored, 99), offset(1e-9));
        // With every component adapted, Ŵ is the unadapted decomposition up to BF16 rounding of the factors.
        if (ft == k) assertThat(decoded).containsExactly(res.decode(), offset(2e-2 * res.scale()));
        Linear fly = CalderaFormat.linear(back, 99, true), dense = CalderaFormat.linear(back, 99, false);
        float[] x = new float[2 * N], y1 = new float[2 * M], y2 = new float[2 * M];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        fly.forward(x, 0, y1, 0, 2);
        dense.forward(x, 0, y2, 0, 2);
        for (int i = 0; i < y1.length; i++) assertThat(y1[i]).isCloseTo(y2[i], offset(1e-4f * (1 + Math.abs(y2[i]))));
        // Bits counted exactly: the method's estimate is what the stored parts take.
        long storedBits = QuantizerIO.storedBits(back.q())
                + (k > ft ? QuantizerIO.storedBits(back.l()) + QuantizerIO.storedBits(back.r()) : 0)
                + 16L * ft * (M + N)
                + 32
                + 6 * 32;
        var method = new CalderaMethod(o, null).withFtRank(ft);
        assertThat(method.tensorBits(M, N)).isEqualTo(storedBits);
        assertThat(fly.storageBytes())
                .isEqualTo(QuantizerIO.storedBits(back.q()) / 8
                        + (k > ft ? (QuantizerIO.storedBits(back.l()) + QuantizerIO.storedBits(back.r())) / 8 : 0)
                        + 2L * ft * (M + N)
                        + 4);
    }

    @Test
    void ftRankZeroCountsAsBeforeAndBadRanksAreRefused() {
        var o = options(4);
        assertThat(new CalderaMethod(o, null).withFtRank(0).tensorBits(M, N))
                .isEqualTo(new CalderaMethod(o, null).tensorBits(M, N));
        assertThatThrownBy(() -> new CalderaMethod(o, null).withFtRank(9))
                .hasMessageContaining("ft_rank 9 exceeds the rank 8");
    }
}
