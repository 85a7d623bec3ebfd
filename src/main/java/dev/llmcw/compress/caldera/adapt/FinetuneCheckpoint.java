package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.engine.train.Parameter;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A fine-tuning checkpoint: a safetensors file with, per trained parameter i, {@code value.i}, {@code m.i} and
 * {@code v.i} (float32: the parameter and its AdamW moments), and in the metadata the next step, AdamW's step
 * count, the settings, the number of training blocks and the parameter names. The block order needs nothing
 * more: it is a function of the seed and the epoch. Written atomically, so an interruption leaves the previous
 * checkpoint.
 */
public final class FinetuneCheckpoint {
    static final String STEP = "finetune.next_step",
            ADAM = "finetune.adam_steps",
            SETTINGS = "finetune.settings",
            BLOCKS = "finetune.training_blocks",
            NAMES = "finetune.parameters";

    private FinetuneCheckpoint() {}

    static void save(Path file, FineTuner t) throws IOException {
        var w = new SafetensorsWriter()
                .metadata(STEP, Integer.toString(t.nextStep()))
                .metadata(ADAM, Long.toString(t.optimizer().steps()))
                .metadata(SETTINGS, t.settings().describe())
                .metadata(BLOCKS, Integer.toString(t.trainingBlocks()))
                .metadata(NAMES, names(t.optimizer().parameters()));
        List<Parameter> ps = t.optimizer().parameters();
        for (int i = 0; i < ps.size(); i++) {
            long[] shape = {ps.get(i).value().length};
            w.add("value." + i, DType.F32, shape, ps.get(i).value());
            w.add("m." + i, DType.F32, shape, t.optimizer().firstMoment(i));
            w.add("v." + i, DType.F32, shape, t.optimizer().secondMoment(i));
        }
        w.write(file);
    }

    /** Restores parameters and optimizer state; returns the next step. Refuses a checkpoint of another run. */
    static int restore(Path file, FineTuner t) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": checkpoint not found");
        SafetensorsFile f = SafetensorsFile.open(file);
        var md = f.metadata();
        List<Parameter> ps = t.optimizer().parameters();
        require(f, SETTINGS, t.settings().describe(), "fine-tuning settings");
        require(f, BLOCKS, Integer.toString(t.trainingBlocks()), "number of training blocks");
        require(f, NAMES, names(ps), "trained parameters");
        for (int i = 0; i < ps.size(); i++) {
            copy(f, "value." + i, ps.get(i).value());
            copy(f, "m." + i, t.optimizer().firstMoment(i));
            copy(f, "v." + i, t.optimizer().secondMoment(i));
        }
        try {
            t.optimizer().restoreSteps(Long.parseLong(md.get(ADAM)));
            return Integer.parseInt(md.get(STEP));
        } catch (NumberFormatException | NullPointerException e) {
            throw new ModelLoadException(file, "checkpoint metadata has no valid " + STEP + " / " + ADAM);
        }
    }

    private static void require(SafetensorsFile f, String key, String want, String what) {
        String have = f.metadata().get(key);
        if (!want.equals(have))
            throw new IllegalArgumentException(f.path() + ": this checkpoint is of another run (its " + what + " are "
                    + have + ", this run's " + want + ")");
    }

    private static void copy(SafetensorsFile f, String name, float[] into) {
        if (!f.has(name)) throw new ModelLoadException(f.path(), "checkpoint has no tensor " + name);
        float[] v = f.tensor(name).toFloatArray();
        if (v.length != into.length)
            throw new ModelLoadException(f.path(), name + " has " + v.length + " values, the parameter " + into.length);
        System.arraycopy(v, 0, into, 0, v.length);
    }

    private static String names(List<Parameter> ps) {
        return ps.stream().map(p -> p.name() + "[" + p.value().length + "]").collect(Collectors.joining(","));
    }
}
