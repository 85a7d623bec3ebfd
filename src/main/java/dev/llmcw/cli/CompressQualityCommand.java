package dev.llmcw.cli;

import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.caldera.CalderaDescriptor;
import dev.llmcw.compress.caldera.CalderaFormat;
import dev.llmcw.compress.caldera.CalderaMethod;
import dev.llmcw.compress.calibration.Calibration;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.calibration.HessianSet;
import dev.llmcw.compress.gptq.Gptq;
import dev.llmcw.compress.gptq.GptqMethod;
import dev.llmcw.compress.rtn.GroupQuantFormat;
import dev.llmcw.compress.rtn.RtnMethod;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.eval.data.TextFiles;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Quality sweep: CALDERA (rank × Q bits) against RTN and GPTQ on one model, scored by perplexity on
 * held-out documents of a text file whose first documents serve as calibration text (no overlap).
 */
@Command(
        name = "caldera-quality",
        mixinStandardHelpOptions = true,
        description =
                "Perplexity of CALDERA (ranks × Q bits) vs RTN and GPTQ on held-out documents; calibration from the first documents of the same file.")
final class CompressQualityCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--text", required = true, description = "documents separated by blank lines")
    Path text;

    @Option(names = "--calib-seqs", defaultValue = "32")
    int calibSeqs;

    @Option(names = "--calib-len", defaultValue = "256")
    int calibLen;

    @Option(names = "--eval-docs", defaultValue = "300", description = "last N documents are scored")
    int evalDocs;

    @Option(names = "--ranks", split = ",", defaultValue = "0,4,8,16")
    int[] ranks;

    @Option(names = "--q-bits", split = ",", defaultValue = "2,3")
    int[] qBits;

    @Option(names = "--lr-bits", description = "default: compress's")
    Integer lrBits;

    @Option(names = "--outer-iters", defaultValue = "5")
    int outer;

    @Option(names = "--inner-iters", defaultValue = "10")
    int inner;

    @Option(names = "--baseline-bits", split = ",", defaultValue = "2,3,4")
    int[] baselineBits;

    @Option(names = "--group", defaultValue = "32")
    int group;

    @Option(names = "--quantizer", description = "CALDERA quantizer: scalar or e8p (default: compress's)")
    String quantizer;

    @Option(names = "--skip-baselines", description = "only CALDERA runs")
    boolean skipBaselines;

    @Option(names = "--work", description = "work folder (default: a temporary one)")
    Path work;

    @Override
    public Integer call() throws Exception {
        Path model = modelOptions.model();
        Model m = ModelLoader.load(model, modelOptions.tokenizer());
        if (m.tokenizer() == null) throw new IllegalArgumentException(model + ": no tokenizer; pass --tokenizer");
        List<String> docs = Perplexity.split(TextFiles.readDocuments(text), Perplexity.Documents.BLANK_LINE);
        if (docs.size() <= evalDocs)
            throw new IllegalArgumentException(
                    text + ": has " + docs.size() + " documents, need more than --eval-docs " + evalDocs);
        List<String> eval = docs.subList(docs.size() - evalDocs, docs.size());
        // Calibration: BOS + consecutive tokens of the first documents, never reaching the scored ones.
        List<int[]> seqs = new ArrayList<>();
        var tok = m.tokenizer();
        List<Integer> stream = new ArrayList<>();
        for (int d = 0; d < docs.size() - evalDocs && stream.size() < calibSeqs * (calibLen - 1); d++) {
            for (int id : tok.encode(docs.get(d) + "\n\n")) stream.add(id);
        }
        if (stream.size() < calibSeqs * (calibLen - 1))
            throw new IllegalArgumentException(text + ": not enough calibration text before the scored documents");
        for (int s = 0; s < calibSeqs; s++) {
            int[] seq = new int[calibLen];
            seq[0] = tok.bosId();
            for (int i = 1; i < calibLen; i++) seq[i] = stream.get(s * (calibLen - 1) + i - 1);
            seqs.add(seq);
        }
        long t0 = System.nanoTime();
        HessianSet hs = Calibration.capture(
                m,
                seqs,
                Calibration.ENGINE,
                text.getFileName() + ", " + calibSeqs + " × " + calibLen + " tokens",
                null,
                null);
        System.out.printf(
                Locale.ROOT,
                "calibration: %s in %.1fs; scoring the last %d documents%n",
                hs.description(),
                (System.nanoTime() - t0) / 1e9,
                evalDocs);
        Path dir = work != null ? work : Files.createTempDirectory("caldera-quality");
        System.out.printf(Locale.ROOT, "%-46s %10s %10s %10s %8s%n", "method", "bits/w", "ppl", "act.err", "secs");
        System.out.printf(Locale.ROOT, "%-46s %10s %10.4f %10s %8s%n", "original", "32", ppl(m, eval), "-", "-");
        CalibrationSpec spec = CalibrationSpec.precomputed(hs);
        List<Object[]> runs = new ArrayList<>();
        for (int b : skipBaselines ? new int[0] : baselineBits) {
            runs.add(new Object[] {new RtnMethod(b, group, false), GroupQuantFormat.RTN});
            runs.add(
                    new Object[] {new GptqMethod(b, group, false, false, Gptq.DEFAULT_DAMP, spec), GroupQuantFormat.GPTQ
                    });
        }
        for (int q : qBits)
            for (int r : ranks) {
                Map<String, String> params =
                        new LinkedHashMap<>(); // compress's defaults (CalderaDescriptor) for the rest
                params.put("q_bits", Integer.toString(q));
                params.put("rank", Integer.toString(r));
                if (lrBits != null) params.put("lr_bits", lrBits.toString());
                if (quantizer != null) params.put("quantizer", quantizer);
                params.put("outer_iters", Integer.toString(outer));
                params.put("inner_iters", Integer.toString(inner));
                params.put("seed", "1");
                runs.add(
                        new Object[] {new CalderaMethod(CalderaDescriptor.options(params), spec), CalderaFormat.INSTANCE
                        });
            }
        int i = 0;
        for (Object[] run : runs) {
            CompressionMethod method = (CompressionMethod) run[0];
            Path out = dir.resolve("run" + i + ".safetensors");
            var rep = method.compress(m, out, dir.resolve("work" + i++), null, null);
            Model c = CompressedModels.load(out, false).withTokenizer(tok);
            double act = rep.tensorErrors().stream()
                    .mapToDouble(e -> e.relativeActivationError())
                    .filter(d -> !Double.isNaN(d))
                    .average()
                    .orElse(Double.NaN);
            System.out.printf(
                    Locale.ROOT,
                    "%-46s %10.3f %10.4f %10.4f %8.1f%n",
                    method.name() + " " + label(method),
                    rep.size().bitsPerCompressedWeight(),
                    ppl(c, eval),
                    act,
                    rep.seconds());
        }
        return 0;
    }

    private static String label(CompressionMethod method) {
        return MethodRegistry.label(method.name(), method.parameters());
    }

    private static double ppl(Model m, List<String> docs) {
        int len = Math.min(m.config().maxSeqLen(), 2048);
        Perplexity p = new Perplexity(new LlamaEngine(m, len), m.tokenizer().bosId(), len);
        for (String d : docs) p.add(m.tokenizer().encode(d));
        return p.result().perplexity();
    }
}
