package dev.llmcw.compress.caldera;

import static dev.llmcw.compress.caldera.CalderaTest.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.util.Json;
import java.io.InputStream;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Hessian downdate and the update order against the numpy reference
 * {@code tools/reference/caldera_downdate_reference.py} (golden/caldera/caldera_downdate_ref.json): no Hadamard,
 * F32 factors, scalar 2-bit Q, exact SVD, 4 outer iterations on a 12×16 matrix.
 *
 * <p>Tolerances: the downdated H to 1e-9 (the same float64 formula, eigen/Cholesky rounding only); errors and
 * Ŵ to 1e-6, as the existing CALDERA reference test: the reference's LPLR goes through an eigendecomposition,
 * ours through Cholesky, so F32-rounded factors can differ in the last float32 bit.
 */
class CalderaDowndateTest {
    private static JsonNode ref;
    private static int m, n, k, bits, outer;
    private static double[] w;
    private static DMatrixRMaj h;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in =
                CalderaDowndateTest.class.getResourceAsStream("/golden/caldera/caldera_downdate_ref.json")) {
            ref = Json.MAPPER.readTree(in);
        }
        m = ref.get("m").asInt();
        n = ref.get("n").asInt();
        k = ref.get("k").asInt();
        bits = ref.get("bits").asInt();
        outer = ref.get("outer").asInt();
        w = doubles(ref.get("W"));
        h = DMatrixRMaj.wrap(n, n, doubles(ref.get("H")));
    }

    private static CalderaOptions options(boolean downdate, String order) {
        return new CalderaOptions(
                bits, 32, k, outer, 0, false, "scalar", 7, true, CalderaOptions.ROW, 0, downdate, order);
    }

    @Test
    void downdatedHessianMatchesTheReference() {
        var ph = new PreparedHessian(h, null);
        DMatrixRMaj lr = DMatrixRMaj.wrap(m, n, doubles(ref.get("LR0")));
        DMatrixRMaj got = HessianDowndate.apply(ph, lr, k, true, 0);
        assertThat(got.data).containsExactly(doubles(ref.get("downdated_H")), offset(1e-9));
        // What L·R covers is gone: H'·v is small along the covered directions compared with H·v.
        assertThat(HessianDowndate.minEigenvalue(got)).isGreaterThan(0);
    }

    @ParameterizedTest
    @CsvSource({"lr_first,false", "lr_first,true", "q_first,false", "q_first,true"})
    void decompositionMatchesTheReference(String order, boolean downdate) {
        JsonNode run = ref.get("runs").get(order + "_" + (downdate ? "downdate" : "plain"));
        var o = options(downdate, order);
        var res = Caldera.decompose(w, m, n, new PreparedHessian(h, null), o, "ref", null, null);
        double[] hist = res.history().stream().mapToDouble(Double::doubleValue).toArray();
        assertThat(hist).containsExactly(doubles(run.get("history")), offset(1e-6));
        assertThat(res.decode()).containsExactly(doubles(run.get("w_hat")), offset(1e-6));
    }

    @Test
    void recordsOnlyNonDefaultOrderAndDowndate() {
        assertThat(options(false, CalderaOptions.LR_FIRST).asMap())
                .doesNotContainKeys("hessian_downdate", "update_order");
        assertThat(options(true, CalderaOptions.Q_FIRST).asMap())
                .containsEntry("hessian_downdate", "true")
                .containsEntry("update_order", "q_first");
        // A record without the keys reads back as the setting it ran: no downdate, LR first.
        var fromOld = CalderaDescriptor.options(Map.of("rank", "8", "calib", "x.txt"));
        assertThat(fromOld.hessianDowndate()).isFalse();
        assertThat(fromOld.updateOrder()).isEqualTo(CalderaOptions.LR_FIRST);
        var given = CalderaDescriptor.options(
                Map.of("rank", "8", "calib", "x.txt", "hessian_downdate", "true", "update_order", "q_first"));
        assertThat(given.hessianDowndate()).isTrue();
        assertThat(given.updateOrder()).isEqualTo(CalderaOptions.Q_FIRST);
        // tables tell the official recipe from the default; earlier labels are unchanged
        assertThat(MethodRegistry.label(
                        "caldera", options(true, CalderaOptions.Q_FIRST).asMap()))
                .isEqualTo("Q2 r3 LR32 scalar downdate q_first");
        assertThat(MethodRegistry.label(
                        "caldera", options(false, CalderaOptions.LR_FIRST).asMap()))
                .isEqualTo("Q2 r3 LR32 scalar");
        assertThatThrownBy(() -> options(false, "both"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("update_order must be lr_first or q_first");
    }
}
