package dev.llmcw.engine.train;

import java.util.List;

/**
 * AdamW (Loshchilov &amp; Hutter) as PyTorch's {@code torch.optim.AdamW} computes it: decoupled weight decay
 * {@code p ← p·(1 − lr·λ)}, then the bias-corrected Adam step {@code p ← p − lr·m̂/(√v̂ + ε)}. The moments are
 * float32 like the parameters; each element's update is computed in float64 and rounded once.
 */
public final class AdamW {
    private final List<Parameter> parameters;
    private final double beta1, beta2, eps, weightDecay;
    private final float[][] m, v;
    private long step;

    public AdamW(List<Parameter> parameters, double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("AdamW betas must be in [0, 1): " + beta1 + ", " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("AdamW eps must be > 0: " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be ≥ 0: " + weightDecay);
        this.parameters = List.copyOf(parameters);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new float[this.parameters.size()][];
        this.v = new float[this.parameters.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new float[this.parameters.get(i).value().length];
            v[i] = new float[m[i].length];
        }
    }

    /** PyTorch's defaults (β = 0.9, 0.999; ε = 1e-8) with the given weight decay. */
    public static AdamW withDefaults(List<Parameter> parameters, double weightDecay) {
        return new AdamW(parameters, 0.9, 0.999, 1e-8, weightDecay);
    }

    /** One update with learning rate {@code lr} from the gradients the parameters hold now. */
    public void step(double lr) {
        step++;
        double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
        double decay = 1 - lr * weightDecay, stepSize = lr / c1, sqrtC2 = Math.sqrt(c2);
        for (int i = 0; i < m.length; i++) {
            float[] p = parameters.get(i).value(), g = parameters.get(i).grad(), mi = m[i], vi = v[i];
            for (int j = 0; j < p.length; j++) {
                double gj = g[j];
                double mj = beta1 * mi[j] + (1 - beta1) * gj, vj = beta2 * vi[j] + (1 - beta2) * gj * gj;
                mi[j] = (float) mj;
                vi[j] = (float) vj;
                p[j] = (float) (p[j] * decay - stepSize * mj / (Math.sqrt(vj) / sqrtC2 + eps));
            }
        }
    }

    /** Updates done so far (the bias correction's t). */
    public long steps() {
        return step;
    }

    /** The first and second moments of parameter {@code i} (live arrays, for checkpoints). */
    public float[] firstMoment(int i) {
        return m[i];
    }

    public float[] secondMoment(int i) {
        return v[i];
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    /** Restores the state a checkpoint saved: the step count (moments are restored through their arrays). */
    public void restoreSteps(long steps) {
        if (steps < 0) throw new IllegalArgumentException("AdamW step count must be ≥ 0: " + steps);
        this.step = steps;
    }
}
