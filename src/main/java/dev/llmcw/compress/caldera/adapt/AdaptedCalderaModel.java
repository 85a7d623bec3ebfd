package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.caldera.CalderaFormat;
import dev.llmcw.compress.caldera.CalderaTrainableLinear;
import dev.llmcw.engine.train.LlamaTrainingModel;
import dev.llmcw.engine.train.Parameter;
import dev.llmcw.engine.train.TrainableLinear;
import dev.llmcw.engine.train.TrainableNorms;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CALDERA file opened for fine-tuning: its matrices with a BF16 adapter become {@link CalderaTrainableLinear}s,
 * and {@link #write} stores the trained adapters (and RMSNorm weights, when trained) back into a copy of the
 * file, every other tensor byte for byte, with the fine-tuning settings added to the method parameters.
 */
public final class AdaptedCalderaModel {
    /** Method-parameter keys the adapted file adds (part of a stored run's identity). */
    public static final String KEY_FINETUNE = "finetune", KEY_FINETUNE_TEXT = "finetune_text";

    private final Model model;
    private final SafetensorsFile file;
    private final Map<String, CalderaTrainableLinear> layers = new LinkedHashMap<>();
    private LlamaTrainingModel training;

    /** @param model the file loaded as a model (its tokenizer and frozen tensors) */
    public AdaptedCalderaModel(Model model) {
        this.model = model;
        Path path = model.source();
        if (!"caldera".equals(CompressedModels.method(model)))
            throw new IllegalArgumentException(path + ": not a CALDERA model (fine-tuning adapts CALDERA's factors)");
        this.file = SafetensorsFile.open(path);
        long seed = CalderaFormat.seed(file);
        for (String name : WeightNames.blockLinearWeights(model.config().nLayers())) {
            if (!file.has(name + ".caldera.info")) continue;
            var stored = CalderaFormat.read(file, name);
            if (stored.adapter() != null) layers.put(name, CalderaTrainableLinear.of(name, stored, seed));
        }
        if (layers.isEmpty())
            throw new IllegalArgumentException(path + ": no CALDERA matrix has a 16-bit adapter to train;"
                    + " compress with --ft-rank > 0 (e.g. --ft-rank 8)");
    }

    /** What an adapted file adds to its method parameters: the settings and the training text. */
    public static Map<String, String> parameters(FinetuneSettings settings, TrainingText text) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(KEY_FINETUNE, settings.describe());
        params.put(KEY_FINETUNE_TEXT, text.describe());
        return params;
    }

    public Model model() {
        return model;
    }

    /** Adapted matrices by weight name. */
    public Map<String, CalderaTrainableLinear> layers() {
        return layers;
    }

    /** The training model: the adapters trainable, the RMSNorm weights too when asked, the rest frozen. */
    public LlamaTrainingModel trainingModel(boolean trainNorms) {
        Map<String, TrainableLinear> linears = new LinkedHashMap<>(layers);
        training = new LlamaTrainingModel(model, linears, trainNorms ? TrainableNorms.all() : TrainableNorms.none());
        return training;
    }

    /** The parameters of the last {@link #trainingModel} (adapters and trained norms). */
    public List<Parameter> trainingParameters() {
        if (training == null) throw new IllegalStateException("no training model made yet");
        return training.parameters();
    }

    /**
     * Writes the adapted model atomically: the adapters rounded to BF16, the trained norm weights (any of
     * {@code trained} named like a tensor of the file) in the file's dtype, all else copied.
     */
    public void write(Path out, List<Parameter> trained, Map<String, String> finetuneParams) throws IOException {
        Map<String, Parameter> norms = new LinkedHashMap<>();
        for (Parameter p : trained) if (file.has(p.name())) norms.put(p.name(), p);
        Map<String, float[]> adapters = new LinkedHashMap<>();
        for (var e : layers.entrySet()) {
            var a = e.getValue().adapter();
            adapters.put(e.getKey() + ".caldera.Lft.values", a.l().values());
            adapters.put(e.getKey() + ".caldera.Rft.values", a.r().values());
        }
        var w = new SafetensorsWriter();
        for (var m : file.metadata().entrySet()) {
            if (!m.getKey().equals(CompressedFormat.KEY_PARAMS)) w.metadata(m.getKey(), m.getValue());
        }
        Map<String, Object> params = new LinkedHashMap<>(CompressedModels.params(file));
        params.putAll(finetuneParams);
        w.metadata(CompressedFormat.KEY_PARAMS, Json.write(params));
        for (var e : file.entries().values()) {
            float[] replaced = adapters.containsKey(e.name())
                    ? adapters.get(e.name())
                    : norms.containsKey(e.name()) ? norms.get(e.name()).value() : null;
            if (replaced == null) w.addRaw(e.name(), e.dtype(), e.shape(), file.byteArray(e.name()));
            else w.add(e.name(), SafetensorsFile.floatType(e.dtype()), e.shape(), replaced);
        }
        w.write(out);
    }
}
