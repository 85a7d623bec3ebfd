package dev.llmcw.compress.caldera;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Knobs of one CALDERA setting (algorithms.md §2).
 *
 * @param qBits      bits of the backbone Q (scalar: 1..8; e8p: 2 = E8P12)
 * @param lrBits     bits of the factors L, R (scalar 2..8, e8p: 2 = E8P12 or 4 = E8P12-RVQ; 16 = BF16, 32 = F32)
 * @param rank       k (0 = plain LDLQ)
 * @param outerIters alternations between the LR step and the Q step (official default 20)
 * @param innerIters LPLR refinement iterations for quantised factors (official default 50)
 * @param hadamard   randomised Hadamard incoherence on/off
 * @param quantizer  "scalar" (uniform per-row min–max grid) or "e8p" (QuIP# lattice)
 * @param seed       seed of the Hadamard signs/blocks and randomised SVD probes
 * @param exactSvd   full SVD for the rank-k step (official) instead of randomised subspace iteration
 * @param lrGrid     grids of scalar-quantised factors: "row" (one scale and zero per row, the official),
 *                   "group" (per {@code lrGroup} weights of a row) or "tensor" (one for the whole factor)
 * @param lrGroup    group size of {@code lrGrid = "group"}
 * @param hessianDowndate before each Q step, remove from H the directions L·R already covers (the official
 *                   {@code Q_hessian_downdate}, off by default as there; on in the official run script)
 * @param updateOrder {@code "lr_first"} (LR step, then Q step, the official default) or {@code "q_first"}
 */
public record CalderaOptions(
        int qBits,
        int lrBits,
        int rank,
        int outerIters,
        int innerIters,
        boolean hadamard,
        String quantizer,
        long seed,
        boolean exactSvd,
        String lrGrid,
        int lrGroup,
        boolean hessianDowndate,
        String updateOrder) {
    public static final String ROW = "row", GROUP = "group", TENSOR = "tensor";
    public static final String LR_FIRST = "lr_first", Q_FIRST = "q_first";

    public CalderaOptions {
        if (!ROW.equals(lrGrid) && !GROUP.equals(lrGrid) && !TENSOR.equals(lrGrid)) {
            throw new IllegalArgumentException("CALDERA lr_grid must be row, group or tensor, not '" + lrGrid + "'");
        }
        if (GROUP.equals(lrGrid) && lrGroup < 1)
            throw new IllegalArgumentException("CALDERA lr_group must be ≥ 1 with lr_grid group: " + lrGroup);
        boolean scalarFactors =
                !(lrBits == 16 || lrBits == 32) && !(quantizer.equals("e8p") && (lrBits == 2 || lrBits == 4));
        if (!ROW.equals(lrGrid) && !scalarFactors) {
            throw new IllegalArgumentException(
                    "CALDERA lr_grid " + lrGrid + " applies to scalar-quantised factors only, not to "
                            + (lrBits >= 16 ? lrBits + "-bit float" : "E8P lattice") + " factors");
        }
        if (!LR_FIRST.equals(updateOrder) && !Q_FIRST.equals(updateOrder))
            throw new IllegalArgumentException(
                    "CALDERA update_order must be lr_first or q_first, not '" + updateOrder + "'");
        if (rank < 0) throw new IllegalArgumentException("rank must be ≥ 0: " + rank);
        if (outerIters < 1) throw new IllegalArgumentException("outer iterations must be ≥ 1: " + outerIters);
        if (innerIters < 0) throw new IllegalArgumentException("inner iterations must be ≥ 0: " + innerIters);
        if (!quantizer.equals("scalar") && !quantizer.equals("e8p")) {
            throw new IllegalArgumentException("quantizer must be scalar or e8p, not " + quantizer);
        }
        if (quantizer.equals("e8p") && qBits != 2) {
            throw new IllegalArgumentException(
                    "the e8p quantizer is 2-bit (E8P12) for Q; use --quantizer scalar for " + qBits + " bits");
        }
        if (qBits < 1 || qBits > 8) throw new IllegalArgumentException("Q bits must be in 1..8: " + qBits);
        boolean floatLr = lrBits == 16 || lrBits == 32;
        if (!floatLr && (lrBits < 2 || lrBits > 8))
            throw new IllegalArgumentException("L/R bits must be 2..8, 16 or 32: " + lrBits);
        // L is m×k and E8P quantises blocks of 8 along its rows: k must fill whole blocks (R's n is zero-padded
        // instead)
        if (quantizer.equals("e8p") && (lrBits == 2 || lrBits == 4) && rank % 8 != 0) {
            throw new IllegalArgumentException(
                    "CALDERA rank " + rank + " is not a multiple of 8, which the E8P lattice factors "
                            + "need (blocks of 8 along the rank): use rank " + (rank / 8 * 8 == 0 ? 8 : rank / 8 * 8)
                            + " or " + (rank / 8 * 8 + 8)
                            + ", factor bits 16/32, or the scalar quantizer");
        }
    }

    /**
     * Iterations that give the best quality per time on stories260K (README, "CALDERA time"): inner
     * iterations beyond 5 changed nothing measurable, outer iterations kept helping; 5/5 costs about
     * 1/11 of the official 20/50. Deviation (README, CALDERA 8): {@code caldera-bench} uses these;
     * {@code compress}, suites and the GUI keep the official 20/50 ({@link CalderaDescriptor}).
     */
    public static final int FAST_OUTER_ITERS = 5, FAST_INNER_ITERS = 5;

    /** Whether factors use the lattice (e8p with 2 or 4 bits), else scalar grid or float. */
    public boolean latticeFactors() {
        return quantizer.equals("e8p") && (lrBits == 2 || lrBits == 4);
    }

    /**
     * The rank a rows×cols matrix gets: at most min(rows, cols) (a larger rank adds nothing), rounded down to
     * a multiple of 8 for lattice factors.
     */
    public int effectiveRank(int rows, int cols) {
        int k = Math.min(rank, Math.min(rows, cols));
        return latticeFactors() ? k / 8 * 8 : k;
    }

    /** The same setting at rank {@code k}. */
    public CalderaOptions withRank(int k) {
        return new CalderaOptions(
                qBits,
                lrBits,
                k,
                outerIters,
                innerIters,
                hadamard,
                quantizer,
                seed,
                exactSvd,
                lrGrid,
                lrGroup,
                hessianDowndate,
                updateOrder);
    }

    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("q_bits", Integer.toString(qBits));
        m.put("lr_bits", Integer.toString(lrBits));
        m.put("rank", Integer.toString(rank));
        m.put("outer_iters", Integer.toString(outerIters));
        m.put("inner_iters", Integer.toString(innerIters));
        m.put("hadamard", Boolean.toString(hadamard));
        m.put("quantizer", quantizer);
        m.put("seed", Long.toString(seed));
        m.put("exact_svd", Boolean.toString(exactSvd));
        if (!ROW.equals(
                lrGrid)) { // recorded only when not the official per-row grids: earlier records stay as they were
            m.put("lr_grid", lrGrid);
            if (GROUP.equals(lrGrid)) m.put("lr_group", Integer.toString(lrGroup));
        }
        // Likewise recorded only when not the default: a record without them ran without a downdate, LR first.
        if (hessianDowndate) m.put("hessian_downdate", "true");
        if (!LR_FIRST.equals(updateOrder)) m.put("update_order", updateOrder);
        return m;
    }
}
