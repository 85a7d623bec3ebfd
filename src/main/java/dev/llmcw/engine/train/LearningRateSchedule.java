package dev.llmcw.engine.train;

/**
 * The learning rate of optimizer step {@code s} (0-based) of {@code total}: linear warm-up over the first
 * {@code warmup} steps, then linear or cosine decay to 0, as Hugging Face's {@code get_linear_schedule_with_warmup}
 * / {@code get_cosine_schedule_with_warmup} compute it (the official CALDERA fine-tuning scripts use the linear
 * one). As there, the first step of a warm-up has learning rate 0.
 */
public record LearningRateSchedule(double peak, int warmup, int total, boolean cosine) {
    public LearningRateSchedule {
        if (!(peak > 0)) throw new IllegalArgumentException("learning rate must be > 0: " + peak);
        if (total < 1) throw new IllegalArgumentException("a schedule needs at least one step: " + total);
        if (warmup < 0 || warmup > total)
            throw new IllegalArgumentException("warm-up steps must be in 0.." + total + ": " + warmup);
    }

    /** Warm-up steps for a fraction of all steps (Hugging Face's {@code warmup_ratio}: rounded up). */
    public static int warmupSteps(double ratio, int total) {
        if (!(ratio >= 0 && ratio <= 1))
            throw new IllegalArgumentException("warm-up ratio must be in [0, 1]: " + ratio);
        return (int) Math.ceil(ratio * total);
    }

    public double at(int step) {
        if (step < warmup) return peak * step / Math.max(1, warmup);
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        if (cosine) return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
        return peak * Math.max(0, 1 - progress);
    }
}
