package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.engine.train.AdamW;
import dev.llmcw.engine.train.LlamaTrainingModel;
import dev.llmcw.engine.train.Parameter;
import dev.llmcw.util.CancellationToken;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Block-by-block fine-tuning as QuIP#'s {@code finetune_decoder_layer}: for each decoder block in order, the
 * inputs are the compressed model's activations so far on the development blocks, the targets the ORIGINAL
 * block's outputs for those same inputs, and the block's chosen parameters (RMSNorm weights, Hadamard SU/SV)
 * are trained with Adam on the mean squared error; the state with the lowest validation MSE is kept (so a block
 * never ends worse than it started), then the inputs move through the tuned block to the next one.
 *
 * <p>The development blocks are split as QuIP#'s {@code split_data}: the last quarter (at least one) validates,
 * the rest trains, in a seeded order per epoch. SU/SV are rounded to F16 (as stored) at the end of each epoch,
 * so the MSE kept is that of the values the file will hold.
 */
public final class BlockwiseStage {
    /** What one block's stage did: validation MSE before and after, and its updates. */
    public record BlockResult(int layer, double mseBefore, double mseAfter, int steps) {}

    private final LlamaTrainingModel compressed, original;
    private final BlockwiseSettings settings;
    private final Set<Parameter> scales, norms;
    private final Runnable roundScales;
    private final long seed;

    /**
     * @param compressed  the compressed model's training model (its trainable parameters include those named below)
     * @param original    the uncompressed model (same config), whose blocks give the targets
     * @param scales      the SU/SV parameters (trained when {@link BlockwiseSettings#hadamard})
     * @param norms       the RMSNorm parameters (trained when {@link BlockwiseSettings#norms})
     * @param roundScales rounds every SU/SV to what the file stores
     */
    public BlockwiseStage(
            LlamaTrainingModel compressed,
            LlamaTrainingModel original,
            BlockwiseSettings settings,
            List<Parameter> scales,
            List<Parameter> norms,
            Runnable roundScales,
            long seed) {
        var a = compressed.config();
        var b = original.config();
        if (a.dim() != b.dim()
                || a.nLayers() != b.nLayers()
                || a.hiddenDim() != b.hiddenDim()
                || a.nHeads() != b.nHeads()
                || a.nKvHeads() != b.nKvHeads())
            throw new IllegalArgumentException(
                    "the original model's config differs from the compressed model's: is it the model it was compressed from?");
        this.compressed = compressed;
        this.original = original;
        this.settings = settings;
        this.scales = identitySet(scales);
        this.norms = identitySet(norms);
        this.roundScales = roundScales;
        this.seed = seed;
    }

    /** Runs every block in order; {@code listener} hears each block's result. */
    public List<BlockResult> run(List<int[]> devBlocks, Consumer<BlockResult> listener, CancellationToken cancel) {
        if (devBlocks.size() < 2)
            throw new IllegalArgumentException(
                    "the development set needs at least 2 blocks (training and validation), got " + devBlocks.size());
        int valid = Math.max(1, devBlocks.size() / 4), trainCount = devBlocks.size() - valid;
        List<float[]> x = new ArrayList<>();
        for (int[] b : devBlocks) x.add(compressed.embedAll(b));
        List<BlockResult> results = new ArrayList<>();
        for (int layer = 0; layer < compressed.config().nLayers(); layer++) {
            if (cancel != null) cancel.throwIfCancelled();
            List<float[]> targets = new ArrayList<>();
            for (int s = 0; s < x.size(); s++) targets.add(original.blockForward(layer, x.get(s), rows(devBlocks, s)));
            BlockResult r = tuneBlock(layer, devBlocks, x, targets, trainCount, cancel);
            results.add(r);
            if (listener != null) listener.accept(r);
            for (int s = 0; s < x.size(); s++) x.set(s, compressed.blockForward(layer, x.get(s), rows(devBlocks, s)));
        }
        return results;
    }

    private BlockResult tuneBlock(
            int layer,
            List<int[]> dev,
            List<float[]> x,
            List<float[]> targets,
            int trainCount,
            CancellationToken cancel) {
        List<Parameter> scaleParams = new ArrayList<>(), normParams = new ArrayList<>();
        for (Parameter p : compressed.blockParameters(layer)) {
            if (settings.hadamard() && scales.contains(p)) scaleParams.add(p);
            if (settings.norms() && norms.contains(p)) normParams.add(p);
        }
        List<Parameter> all = new ArrayList<>(scaleParams);
        all.addAll(normParams);
        double before = validationMse(layer, dev, x, targets, trainCount);
        if (all.isEmpty()) return new BlockResult(layer, before, before, 0);
        AdamW scaleOpt = new AdamW(scaleParams, 0.9, 0.999, 1e-8, 0),
                normOpt = new AdamW(normParams, 0.9, 0.999, 1e-8, 0);
        double best = before;
        List<float[]> bestValues = snapshot(all);
        int steps = 0;
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < trainCount; i++) order.add(i);
            Collections.shuffle(order, new Random(seed * 1_000_003L + layer * 1009L + epoch));
            for (int from = 0; from < trainCount; from += settings.blocksPerStep()) {
                if (cancel != null) cancel.throwIfCancelled();
                int to = Math.min(trainCount, from + settings.blocksPerStep());
                all.forEach(Parameter::zeroGrad);
                for (int i = from; i < to; i++) {
                    int s = order.get(i);
                    compressed.blockMseAndGradients(layer, x.get(s), targets.get(s), rows(dev, s));
                }
                for (Parameter p : all) {
                    float[] g = p.grad();
                    for (int j = 0; j < g.length; j++) g[j] /= to - from;
                }
                if (!scaleParams.isEmpty()) scaleOpt.step(settings.scaleLr());
                if (!normParams.isEmpty()) normOpt.step(settings.normLr());
                steps++;
            }
            roundScales.run();
            double mse = validationMse(layer, dev, x, targets, trainCount);
            if (mse < best) {
                best = mse;
                bestValues = snapshot(all);
            }
        }
        restore(all, bestValues);
        return new BlockResult(layer, before, best, steps);
    }

    private double validationMse(int layer, List<int[]> dev, List<float[]> x, List<float[]> targets, int from) {
        double s = 0;
        for (int i = from; i < x.size(); i++) s += compressed.blockMse(layer, x.get(i), targets.get(i), rows(dev, i));
        return s / (x.size() - from);
    }

    private static int rows(List<int[]> dev, int s) {
        return dev.get(s).length;
    }

    private static List<float[]> snapshot(List<Parameter> ps) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : ps) out.add(p.value().clone());
        return out;
    }

    private static void restore(List<Parameter> ps, List<float[]> values) {
        for (int i = 0; i < ps.size(); i++)
            System.arraycopy(values.get(i), 0, ps.get(i).value(), 0, values.get(i).length);
    }

    private static Set<Parameter> identitySet(List<Parameter> ps) {
        Set<Parameter> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(ps);
        return s;
    }
}
