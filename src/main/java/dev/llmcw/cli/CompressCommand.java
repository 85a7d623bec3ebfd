package dev.llmcw.cli;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.SizeCheck;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.compress.caldera.CalderaMethod;
import dev.llmcw.compress.caldera.adapt.CompressionFinetune;
import dev.llmcw.compress.caldera.adapt.FinetuneSettings;
import dev.llmcw.compress.calibration.CalibrationCheck;
import dev.llmcw.compress.calibration.CalibrationParameters;
import dev.llmcw.eval.EvalSettingsCheck;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.ProcessStats;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code compress --method seedlm|caldera|rtn|gptq|…}: the methods' options are generated from the
 * {@link MethodRegistry} ({@link MethodOptions}); the chosen method is built by its descriptor and runs
 * through the common {@link CompressionMethod} interface.
 */
@Command(
        name = "compress",
        mixinStandardHelpOptions = true,
        description = "Compress a model's weights and write a compressed model file (safetensors + metadata).")
final class CompressCommand implements Callable<Integer> {
    @Option(
            names = "--method",
            required = true,
            description = "compression method: ${COMPLETION-CANDIDATES}",
            completionCandidates = MethodIds.class)
    String method;

    @Option(
            names = "--preset",
            paramLabel = "NAME",
            description = "one of the method's presets (the GUI's list), by its label or the start of one, e.g. "
                    + "--method caldera --preset official (the official CALDERA recipe); options given "
                    + "explicitly override the preset's values")
    String preset;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--out", required = true, description = "compressed model file to write")
    Path out;

    @Option(
            names = "--work-dir",
            description = "folder for per-tensor results (resume after an interruption); default OUT.work")
    Path workDir;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(
            names = "--calib-cache",
            description = "CALDERA/GPTQ: folder caching H per (model, file, N, L) (default: beside OUT)")
    Path calibCache;

    @Spec
    CommandSpec spec;

    /**
     * Adds every registered method's knobs to {@code compress} as options (names from
     * {@link MethodParameter#cliNames()}); methods sharing a name (--bits, --calib) share the option.
     */
    static void addMethodOptions(CommandSpec compress) {
        for (var option : MethodOptions.of(MethodRegistry.all())) compress.addOption(option);
    }

    /**
     * The options given for the chosen method as its named parameters, built by the method's descriptor as
     * suites and the GUI do, so a setting means the same everywhere; knobs not given take its defaults.
     */
    CompressionMethod build() {
        MethodDescriptor d = MethodRegistry.get(method);
        Map<String, String> params = new LinkedHashMap<>();
        if (preset != null) params.putAll(MethodOptions.preset(d, preset).values());
        params.putAll(MethodOptions.values(d, spec.commandLine().getParseResult()));
        if (d.needsCalibration() && !params.containsKey("calib"))
            throw new IllegalArgumentException("--method " + method + " needs --calib FILE (calibration text)");
        if (d.needsCalibration()) {
            // the file itself before the model is even loaded; its token count once the tokenizer is there
            String problem = CalibrationCheck.fileProblem(Path.of(params.get("calib")));
            if (problem != null) throw new IllegalArgumentException(problem);
            calibration = new CalibrationRequest(
                    Path.of(params.get("calib")),
                    CalibrationParameters.integer(params, "calib_seqs"),
                    CalibrationParameters.integer(params, "calib_len"));
        }
        Path cache = calibCache != null ? calibCache : out.toAbsolutePath().resolveSibling("hessian-cache");
        return d.create(params, Path.of("").toAbsolutePath(), cache).withTokenizer(modelOptions.tokenizer());
    }

    /** The calibration the chosen method will run, checked against the model's tokenizer before compressing. */
    private record CalibrationRequest(Path file, int count, int length) {}

    private CalibrationRequest calibration;

    /**
     * Calibrating on the text a later evaluation scores makes its perplexity optimistic: the calibration text is
     * compared with the evaluation texts of the workbench's data folder (TinyStories, WikiText-2).
     */
    private void warnEvaluationOverlap(Model src) {
        Path data = DataPaths.shared("datasets");
        for (Path text : EvalSettingsCheck.evaluationTexts(TaskRegistry.names(), data, null)) {
            String warning = CalibrationCheck.overlapWarning(
                    calibration.file(), src.tokenizer(), calibration.count(), calibration.length(), text);
            if (warning != null) spec.commandLine().getErr().println(warning);
        }
    }

    /**
     * Fine-tunes the CALDERA file just written on the calibration sequences it was calibrated on, with finetune's
     * defaults, replacing it atomically; the report's parameters gain the fine-tuning settings.
     */
    private CompressionReport finetune(CompressionReport r, Path tokenizer, CancellationToken cancel)
            throws IOException {
        Model c = tokenizer == null ? ModelLoader.load(out) : ModelLoader.load(out, tokenizer);
        return CompressionFinetune.apply(
                r,
                c,
                calibration.file(),
                calibration.count() * calibration.length(),
                FinetuneSettings.DEFAULTS,
                started -> System.out.println("fine-tuning on " + started),
                FinetuneCommand::print,
                cancel);
    }

    @Mixin
    DbOption db = new DbOption();

    @Option(names = "--no-store", description = "do not record the compression in the results database")
    boolean noStore;

    @Option(
            names = "--finetune",
            description = "CALDERA with --ft-rank > 0: then fine-tune the adapters on the calibration sequences"
                    + " with finetune's defaults (the file written is the adapted model)")
    boolean finetune;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        CompressionMethod m = build();
        if (finetune && !(m instanceof CalderaMethod cm && cm.ftRank() > 0 && calibration != null))
            throw new IllegalArgumentException("--finetune needs --method caldera with --ft-rank > 0 and --calib");
        Path model = modelOptions.model(), tokenizer = modelOptions.tokenizer();
        Model src = tokenizer == null ? ModelLoader.load(model) : ModelLoader.load(model, tokenizer);
        if (calibration != null && src.tokenizer() != null) {
            CalibrationCheck.require(calibration.file(), src.tokenizer(), calibration.count(), calibration.length());
            warnEvaluationOverlap(src);
        }
        SizeEstimate est = m.estimate(src);
        System.out.printf(Locale.ROOT, "%s %s on %s%n", m.name(), m.parameters(), src.label());
        System.out.printf(
                Locale.ROOT,
                "estimate: %,d compressed weights at %.4f bits/weight; %,d params, %,d bytes, %.4f bits/weight overall%n",
                est.compressedParams(),
                est.bitsPerCompressedWeight(),
                est.totalParams(),
                est.totalBytes(),
                est.bitsPerWeightOverall());
        String larger = SizeCheck.largerThanOriginal(est, src.weightBytes());
        if (larger != null) spec.commandLine().getErr().println(larger);
        CancellationToken cancel = CancellationToken.none();
        Thread hook = new Thread(cancel::cancel);
        Runtime.getRuntime().addShutdownHook(hook);
        ProgressListener progress = new ProgressListener() {
            long last;

            @Override
            public synchronized void update(String stage, long done, long total, String message) {
                if (total < 0) {
                    System.out.println(stage);
                    return;
                }
                long now = System.nanoTime();
                if (done == total || now - last > 1_000_000_000L) {
                    last = now;
                    System.out.printf(Locale.ROOT, "  %s: %,d/%,d %s%n", stage, done, total, message);
                }
            }
        };
        double cpu0 = ProcessStats.cpuSeconds();
        CompressionReport r = m.compress(src, out, workDir, progress, cancel);
        double cpu = ProcessStats.cpuSeconds() - cpu0;
        Runtime.getRuntime().removeShutdownHook(hook);
        long fileBytes = Files.size(out);
        System.out.printf(
                Locale.ROOT,
                "bits/weight: %.4f (compressed tensors)%n",
                r.size().bitsPerCompressedWeight());
        System.out.printf(
                Locale.ROOT,
                "whole model: %,d bytes on disk (%,d params, %.4f bits/weight overall)%n",
                fileBytes,
                r.size().totalParams(),
                8.0 * fileBytes / r.size().totalParams());
        System.out.printf(
                Locale.ROOT,
                "time: %.1f s wall, %.1f s CPU (load average %.2f on %d cores)%n",
                r.seconds(),
                cpu,
                ProcessStats.loadAverage(),
                Runtime.getRuntime().availableProcessors());
        if (finetune) r = finetune(r, tokenizer, cancel);
        if (!noStore) {
            // Record the compression (per-tensor errors, size) so evaluations of the file link back to it.
            try (var store = db.open()) {
                String modelHash = ModelHashes.contentHash(model);
                String fileHash = ModelHashes.contentHash(out);
                store.saveCompression(CompressionRecord.of(modelHash, model.toString(), r, fileHash));
            }
        }
        return 0;
    }
}
