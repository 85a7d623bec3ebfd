package dev.llmcw.cli;

import dev.llmcw.engine.DecodeRoofline;
import dev.llmcw.engine.MemoryBandwidth;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProcessStats;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --roofline}: each measured model's decode rate against its two ceilings ({@link DecodeRoofline}):
 * streaming read bandwidth over the bytes a token reads, and the dot kernels' in-cache rate (one thread's
 * weights per CPU-second × threads) over the weights a token multiplies, summed per storage type. Both are
 * upper bounds; the lower one is the roofline, and "% of roofline" says how much of it a decode reached.
 */
final class RooflineReport {
    /** What one token of a measured model reads and multiplies, by storage type, and the decode rate reached. */
    record Decode(String model, String dtype, int cols, long bytes, Map<DType, Double> weightsByType, double tokS) {}

    private final List<Decode> decodes = new ArrayList<>();
    /** Per storage type, one of the measured models' own matrices of that type: the kernel is timed on it. */
    private final Map<DType, Tensor> samples = new EnumMap<>(DType.class);

    void add(String model, String dtype, Model m, double tokS) {
        for (String name : WeightNames.blockLinearWeights(m.config().nLayers())) {
            if (m.linears().get(name) != null) continue;
            Tensor t = m.tensor(name);
            if (t.shape()[0] >= 32 && DecodeRoofline.KERNEL_TYPES.contains(t.dtype()))
                samples.putIfAbsent(t.dtype(), t);
        }
        decodes.add(new Decode(model, dtype, m.config().dim(), BenchCommand.decodeBytes(m), weightsByType(m), tokS));
    }

    /** Weights of the block projections and the classifier per storage type (compressed layers: "none", left out). */
    static Map<DType, Double> weightsByType(Model m) {
        var c = m.config();
        Map<DType, Double> w = new EnumMap<>(DType.class);
        for (String name : WeightNames.blockLinearWeights(c.nLayers())) {
            Linear l = m.linears().get(name);
            if (l != null) continue; // a compressed layer has no storage type with a kernel rate here
            w.merge(m.tensor(name).dtype(), (double) m.tensor(name).numel(), Double::sum);
        }
        var head = m.tensor(c.tiedEmbeddings() ? WeightNames.EMBED : WeightNames.LM_HEAD);
        w.merge(head.dtype(), (double) head.numel(), Double::sum);
        return w;
    }

    void print(int bandwidthMb, int reps) {
        int threads = Parallel.threads();
        double read = MemoryBandwidth.read(bandwidthMb, reps);
        System.out.printf(
                Locale.ROOT,
                "%nroofline (decode): streaming read %.1f GB/s (%d MiB float buffer summed by %d threads, best of %d);"
                        + " load average %.2f%n",
                read,
                bandwidthMb,
                threads,
                reps,
                ProcessStats.loadAverage());
        Map<DType, DecodeRoofline.KernelRate> rates = new EnumMap<>(DType.class);
        for (Decode d : decodes) {
            for (DType t : d.weightsByType().keySet()) {
                if (DecodeRoofline.KERNEL_TYPES.contains(t) && !rates.containsKey(t))
                    rates.put(
                            t,
                            samples.containsKey(t)
                                    ? DecodeRoofline.kernelRate(samples.get(t), 1)
                                    : DecodeRoofline.kernelRate(t, d.cols(), 1));
            }
        }
        System.out.println(
                "kernel in cache (one thread, the first rows ≤ 256 KiB of one of the model's own matrices, per thread-CPU-second):");
        System.out.println("| type | path | cols | Gweights/s | GB/s of weights | ns per 32 weights |");
        System.out.println("|------|------|-----:|-----------:|----------------:|------------------:|");
        for (var r : rates.values()) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %d | %.2f | %.2f | %.2f |%n",
                    r.type(),
                    r.path(),
                    r.cols(),
                    r.weightsPerSecond() / 1e9,
                    r.bytesPerSecond() / 1e9,
                    32e9 / r.weightsPerSecond());
        }
        System.out.printf(
                Locale.ROOT, "ceilings per token (%d threads; the kernel bound assumes perfect scaling):%n", threads);
        System.out.println("| model | dtype | MB/token | Mweights/token | bandwidth bound tok/s | kernel bound tok/s |"
                + " decode tok/s | % of roofline |");
        System.out.println("|-------|-------|---------:|---------------:|----------------------:|-------------------:|"
                + "-------------:|--------------:|");
        for (Decode d : decodes) {
            double bwBound = read * 1e9 / d.bytes();
            double seconds = 0, weights = 0;
            for (var e : d.weightsByType().entrySet()) {
                var r = rates.get(e.getKey());
                seconds = r == null ? Double.NaN : seconds + e.getValue() / (r.weightsPerSecond() * threads);
                weights += e.getValue();
            }
            double kernelBound = 1 / seconds,
                    roof = Double.isNaN(kernelBound) ? bwBound : Math.min(bwBound, kernelBound);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %.1f | %.1f | %.1f | %s | %.1f | %.1f |%n",
                    d.model(),
                    d.dtype(),
                    d.bytes() / 1e6,
                    weights / 1e6,
                    bwBound,
                    Double.isNaN(kernelBound) ? "n/a" : String.format(Locale.ROOT, "%.1f", kernelBound),
                    d.tokS(),
                    100 * d.tokS() / roof);
        }
    }
}
