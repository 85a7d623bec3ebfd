package dev.llmcw.suite;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.caldera.adapt.CompressionFinetune;
import dev.llmcw.compress.caldera.adapt.FinetuneOverrides;
import dev.llmcw.compress.calibration.CalibrationCheck;
import dev.llmcw.compress.calibration.CalibrationParameters;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.DeploymentRecord;
import dev.llmcw.results.Deployments;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The real {@link SuiteActions}: models load through {@link ModelLoader}, compression goes through
 * a {@link CompressionMethod} built by a {@link MethodFactory}, evaluation through a
 * {@link TaskEvaluator} (see {@link #standard}); tests plug in their own.
 */
public final class WorkbenchSuiteActions implements SuiteActions {

    /** Builds a compression method from its name and parameters as a suite lists them. */
    @FunctionalInterface
    public interface MethodFactory {
        CompressionMethod create(String method, Map<String, String> params);
    }

    /** Evaluates one task on a model file (see {@link SuiteActions#evaluate}); also names task versions and data. */
    public interface TaskEvaluator {
        String taskVersion(String task);

        String dataHash(String task);

        StoredRuns.Result evaluate(
                Path model,
                String task,
                RunSpec.Options options,
                String runKey,
                ItemStore items,
                ProgressListener progress,
                CancellationToken cancel)
                throws Exception;
    }

    private final MethodFactory methods;
    private final TaskEvaluator evaluator;
    private final Path baseDir;

    public WorkbenchSuiteActions(MethodFactory methods, TaskEvaluator evaluator) {
        this(methods, evaluator, null);
    }

    /** @param baseDir folder that relative calibration paths resolve against (null: the working directory) */
    public WorkbenchSuiteActions(MethodFactory methods, TaskEvaluator evaluator, Path baseDir) {
        this.methods = methods;
        this.evaluator = evaluator;
        this.baseDir = baseDir;
    }

    /**
     * The actions the CLI uses: methods from {@link SuiteMethods} (calibration paths relative to
     * {@code baseDir}), evaluation by {@link EvalTaskEvaluator} on the data in {@code dataDir}.
     */
    public static SuiteActions standard(Path dataDir, Path baseDir) {
        return new WorkbenchSuiteActions(
                (m, p) -> SuiteMethods.create(m, p, baseDir), new EvalTaskEvaluator(dataDir), baseDir);
    }

    /** Builds the method (which checks names and ranges) and checks its calibration file, as compressing would. */
    @Override
    public void checkSetting(String method, Map<String, String> params) {
        methods.create(method, SuiteSpec.withoutFinetune(params));
        String calib = params.get("calib");
        if (calib != null) {
            Path file = calibrationFile(calib);
            String problem = CalibrationCheck.fileProblem(file);
            if (problem != null) throw new IllegalArgumentException(problem);
        }
    }

    private Path calibrationFile(String calib) {
        return baseDir == null ? Path.of(calib) : baseDir.resolve(calib).normalize();
    }

    @Override
    public String taskVersion(String task) {
        return evaluator.taskVersion(task);
    }

    @Override
    public String dataHash(String task) {
        return evaluator.dataHash(task);
    }

    @Override
    public ModelSize size(Path model) {
        Model m = ModelLoader.loadForInference(model, null);
        return new ModelSize(m.weightBytes(), m.bitsPerWeight());
    }

    @Override
    public CompressionReport compress(
            Path model,
            String method,
            Map<String, String> params,
            Path out,
            Path workDir,
            ProgressListener progress,
            CancellationToken cancel)
            throws Exception {
        String finetune = params.get(FinetuneOverrides.KEY);
        Map<String, String> methodParams = SuiteSpec.withoutFinetune(params);
        CompressionMethod m = methods.create(method, methodParams);
        Model source = ModelLoader.load(model);
        // enough calibration tokens for N × L, checked before calibration starts rather than at its end
        String calib = params.get("calib");
        if (calib != null && source.tokenizer() != null)
            CalibrationCheck.require(
                    calibrationFile(calib),
                    source.tokenizer(),
                    CalibrationParameters.integer(params, "calib_seqs"),
                    CalibrationParameters.integer(params, "calib_len"));
        CompressionReport report = m.compress(source, out, workDir, progress, cancel);
        return finetune == null ? report : finetune(report, source, methodParams, finetune, progress, cancel);
    }

    /** The compress --finetune step: the adapters trained on the calibration text, the file replaced. */
    private CompressionReport finetune(
            CompressionReport report,
            Model source,
            Map<String, String> params,
            String finetune,
            ProgressListener progress,
            CancellationToken cancel)
            throws IOException {
        Model compressed = ModelLoader.load(report.file());
        if (compressed.tokenizer() == null) compressed = compressed.withTokenizer(source.tokenizer());
        return CompressionFinetune.apply(
                report,
                compressed,
                calibrationFile(params.get("calib")),
                CalibrationParameters.integer(params, "calib_seqs")
                        * CalibrationParameters.integer(params, "calib_len"),
                FinetuneOverrides.parse(finetune),
                started -> progress.log("fine-tuning on " + started),
                s -> progress.update(
                        "fine-tuning", s.step(), s.total(), String.format(Locale.ROOT, "loss %.4f", s.trainLoss())),
                cancel);
    }

    @Override
    public DeploymentRecord deployment(ResultsStore store, Path model, String modelHash) {
        return Deployments.ensure(store, modelHash, () -> ModelLoader.loadForInference(model, null));
    }

    @Override
    public StoredRuns.Result evaluate(
            Path model,
            String task,
            RunSpec.Options options,
            String runKey,
            ItemStore items,
            ProgressListener progress,
            CancellationToken cancel)
            throws Exception {
        return evaluator.evaluate(model, task, options, runKey, items, progress, cancel);
    }
}
