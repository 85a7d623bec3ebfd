package dev.llmcw.model.gguf;

/**
 * The scale searches behind llama.cpp's K-quants (make_qx_quants, make_q3_quants, make_qkx2_quants,
 * make_qkx3_quants, make_qp_quants in ggml-quants.c), written operation for operation in float arithmetic
 * and in the same order, so that the chosen levels and scales are the bit-identical ones. Levels are
 * returned in {@code int[]} arrays; where C stores them in uint8_t/int8_t the store is masked the same way.
 */
final class KQuantSearch {
    /** GROUP_MAX_EPS: a group whose largest magnitude is below this counts as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private KQuantSearch() {}

    /**
     * ggml's nearest_int: adds 1.5·2²³ so the float adder rounds half to even, then reads the low mantissa
     * bits. Reproduced bit for bit (rather than Math.rint) so out-of-range inputs give the same garbage.
     */
    static int nearestInt(float v) {
        float shifted = v + 12582912f;
        return (Float.floatToRawIntBits(shifted) & 0x007fffff) - 0x00400000;
    }

    static float sqrtf(float v) {
        return (float) Math.sqrt(v);
    }

    /**
     * Symmetric levels in [-nmax, nmax-1] (stored +nmax) with a weighted least-squares scale, trying 18
     * nudged inverse scales. Weights are {@code qw} when given, else chosen by rmseType (1: x², 2: 1, 3: |x|,
     * 4: √|x|). Returns the scale (negative when the largest magnitude is negative).
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] L, int lo, int rmseType, float[] qw) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; ++i) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) L[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        if (rmseType == 0) {
            for (int i = 0; i < n; ++i) {
                int l = nearestInt(iscale * x[xo + i]);
                L[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
            }
            return 1 / iscale;
        }
        boolean returnEarly = false;
        if (rmseType < 0) {
            rmseType = -rmseType;
            returnEarly = true;
        }
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; ++i) {
            float xi = x[xo + i];
            int l = nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lo + i] = (byte) (l + nmax);
            float w = weight(xi, rmseType, qw, i);
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        if (returnEarly) return suml2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; ++is) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xo + i];
                int l = nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = weight(xi, rmseType, qw, i);
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; ++i) {
                    int l = nearestInt(iscale * x[xo + i]);
                    L[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    private static float weight(float xi, int rmseType, float[] qw, int q) {
        if (qw != null) return qw[q];
        return switch (rmseType) {
            case 1 -> xi * xi;
            case 2 -> 1;
            case 3 -> Math.abs(xi);
            default -> sqrtf(Math.abs(xi));
        };
    }

    /** Q3_K's search without importance: start at -nmax/max, then up to five rounds of coordinate descent. */
    static float makeQ3Quants(int n, int nmax, float[] x, int xo, int[] L, int lo) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; ++i) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) L[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; ++i) {
            float xi = x[xo + i];
            int l = nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lo + i] = (byte) l;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; ++itry) {
            int changed = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xo + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * L[lo + i];
                if (slx > 0) {
                    float sl2 = suml2 - w * L[lo + i] * L[lo + i];
                    int newL = nearestInt(xi * sl2 / slx);
                    newL = Math.max(-nmax, Math.min(nmax - 1, newL));
                    if (newL != L[lo + i]) {
                        slx += w * xi * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[lo + i] = (byte) newL;
                            sumlx = slx;
                            suml2 = sl2;
                            ++changed;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < n; ++i) L[lo + i] = (byte) (L[lo + i] + nmax);
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /**
     * Asymmetric levels in [0, nmax] with a scale and a min (x ≈ scale·L - theMin): the min·max grid start,
     * then nstep+1 inverse scales (rmin + rdelta·is + nmax)/(max - min), each refit by weighted least squares
     * for scale and min, kept when the weighted error (absolute with useMad, else squared) drops.
     * make_qkx2_quants when {@code weights} is given; make_qkx3_quants uses x² when it is null.
     */
    static float makeQkxQuants(
            float[] x, int xo, float[] weights, int[] L, int lo, float[] theMin, int mo, KxSearch search) {
        int n = search.n, nmax = search.nmax;
        float min = x[xo], max = x[xo];
        float sumW = w(weights, x, xo, 0);
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; ++i) {
            float xi = x[xo + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = w(weights, x, xo, i);
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        // qkx2 tests max == min, qkx3 max <= min: the same after min was clamped to <= 0 and max >= min
        if (max == min || (search.qkx3 && max <= min)) {
            for (int i = 0; i < n; ++i) L[lo + i] = 0;
            theMin[mo] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * (x[xo + i] - min));
            L[lo + i] = Math.max(0, Math.min(nmax, l)) & 0xFF;
            float diff = scale * L[lo + i] + min - x[xo + i];
            diff = search.useMad ? Math.abs(diff) : diff * diff;
            bestError += w(weights, x, xo, i) * diff;
        }
        if (search.nstep < 1) {
            theMin[mo] = -min;
            return scale;
        }
        int[] aux = new int[n];
        for (int is = 0; is <= search.nstep; ++is) {
            iscale = (search.rmin + search.rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xo + i];
                int l = nearestInt(iscale * (xi - min));
                l = Math.max(0, Math.min(nmax, l));
                aux[i] = l;
                float w = w(weights, x, xo, i);
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * xi;
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; ++i) {
                    float diff = thisScale * aux[i] + thisMin - x[xo + i];
                    diff = search.useMad ? Math.abs(diff) : diff * diff;
                    curError += w(weights, x, xo, i) * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, L, lo, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[mo] = -min;
        return scale;
    }

    private static float w(float[] weights, float[] x, int xo, int i) {
        return weights != null ? weights[i] : x[xo + i] * x[xo + i];
    }

    /**
     * The step grids the types use for {@link #makeQkxQuants}: n values per sub-block, levels 0..nmax; the
     * reference grids (make_qkx2_quants) and the importance-weighted one (make_qkx3_quants).
     */
    record KxSearch(int n, int nmax, float rmin, float rdelta, int nstep, boolean useMad, boolean qkx3) {
        static final KxSearch Q2_K_REF = new KxSearch(16, 3, -0.5f, 0.1f, 15, true, false);
        static final KxSearch Q4_K_REF = new KxSearch(32, 15, -1f, 0.1f, 20, false, false);
        static final KxSearch Q5_K_REF = new KxSearch(32, 31, -0.5f, 0.1f, 15, false, false);

        /** make_qkx3_quants' grid for n values with levels 0..nmax. */
        static KxSearch imatrix(int n, int nmax) {
            return new KxSearch(n, nmax, -0.9f, 0.05f, 36, false, true);
        }
    }

    /**
     * Non-negative levels in [0, nmax] for the sub-block scales and mins of the importance-matrix path:
     * eight nudged inverse scales by weighted squared error, then up to five rounds of coordinate descent.
     */
    static float makeQpQuants(int n, int nmax, float[] x, int[] L, float[] qw) {
        float max = 0;
        for (int i = 0; i < n; ++i) max = Math.max(max, x[i]);
        if (max < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) L[i] = 0;
            return 0f;
        }
        float iscale = nmax / max;
        for (int i = 0; i < n; ++i) L[i] = nearestInt(iscale * x[i]) & 0xFF;
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; ++i) {
            float diff = x[i] - scale * L[i];
            bestMse += qw[i] * diff * diff;
        }
        for (int is = -4; is <= 4; ++is) {
            if (is == 0) continue;
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; ++i) {
                int l = Math.min(nmax, nearestInt(iscaleIs * x[i]));
                float diff = x[i] - scaleIs * l;
                mse += qw[i] * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = Math.min(nmax, nearestInt(iscale * x[i]));
            L[i] = l & 0xFF;
            float w = qw[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; ++itry) {
            int changed = 0;
            for (int i = 0; i < n; ++i) {
                float w = qw[i];
                float slx = sumlx - w * x[i] * L[i];
                float sl2 = suml2 - w * L[i] * L[i];
                if (slx > 0 && sl2 > 0) {
                    int newL = Math.min(nmax, nearestInt(x[i] * sl2 / slx));
                    if (newL != L[i]) {
                        slx += w * x[i] * newL;
                        sl2 += w * newL * newL;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[i] = newL & 0xFF;
                            sumlx = slx;
                            suml2 = sl2;
                            ++changed;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }
}
