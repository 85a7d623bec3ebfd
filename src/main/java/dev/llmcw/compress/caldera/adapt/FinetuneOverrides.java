package dev.llmcw.compress.caldera.adapt;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A suite's {@code finetune:} value as text: "true" for {@link FinetuneSettings#DEFAULTS}, or "key=value ..."
 * overriding some of them (epochs, lr, block_len, seed, train_norms, weight_decay, warmup, clip, grad_accum,
 * cosine). The text is part of the setting, so two overrides are two settings.
 */
public final class FinetuneOverrides {
    /** The parameter key a setting carries the fine-tuning step in (also the adapted file's key). */
    public static final String KEY = AdaptedCalderaModel.KEY_FINETUNE;

    private FinetuneOverrides() {}

    /** The canonical text of a YAML value: true, false (null: no fine-tuning), or a map of overrides. */
    public static String text(Object value) {
        if (value == null || Boolean.FALSE.equals(value)) return null;
        if (Boolean.TRUE.equals(value)) return "true";
        if (value instanceof Map<?, ?> m) {
            var sorted = new TreeMap<String, String>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), String.valueOf(v)));
            var sb = new StringBuilder();
            sorted.forEach((k, v) ->
                    sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
            return sb.isEmpty() ? "true" : sb.toString();
        }
        throw new IllegalArgumentException(
                "finetune must be true, false or a map of overrides such as {epochs: 1, lr: 0.0005}, not " + value);
    }

    /** The settings a canonical text stands for; one sentence naming the bad key or value otherwise. */
    public static FinetuneSettings parse(String text) {
        var d = FinetuneSettings.DEFAULTS;
        if (text.equals("true")) return d;
        int blockLen = d.blockLen(), epochs = d.epochs(), gradAccum = d.gradAccum();
        double lr = d.lr(), wd = d.weightDecay(), warmup = d.warmupRatio(), clip = d.clip();
        long seed = d.seed();
        boolean norms = d.trainNorms(), cosine = d.cosine();
        for (String kv : text.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("finetune: \"" + kv + "\" is not key=value");
            String k = kv.substring(0, eq), v = kv.substring(eq + 1);
            try {
                switch (k.toLowerCase(Locale.ROOT)) {
                    case "epochs" -> epochs = Integer.parseInt(v);
                    case "lr" -> lr = Double.parseDouble(v);
                    case "block_len" -> blockLen = Integer.parseInt(v);
                    case "seed" -> seed = Long.parseLong(v);
                    case "train_norms" -> norms = bool(v);
                    case "weight_decay" -> wd = Double.parseDouble(v);
                    case "warmup" -> warmup = Double.parseDouble(v);
                    case "clip" -> clip = Double.parseDouble(v);
                    case "grad_accum" -> gradAccum = Integer.parseInt(v);
                    case "cosine" -> cosine = bool(v);
                    default ->
                        throw new IllegalArgumentException("finetune: unknown setting \"" + k
                                + "\" (known: epochs, lr, block_len, seed, train_norms, weight_decay, warmup, clip,"
                                + " grad_accum, cosine)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("finetune: " + k + " must be a number, not \"" + v + "\"");
            }
        }
        return new FinetuneSettings(blockLen, epochs, lr, wd, warmup, clip, gradAccum, seed, norms, cosine);
    }

    private static boolean bool(String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new NumberFormatException(v);
    }
}
