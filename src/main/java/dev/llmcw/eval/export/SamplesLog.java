package dev.llmcw.eval.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.eval.Evaluator.McPayload;
import dev.llmcw.eval.Evaluator.PplPayload;
import dev.llmcw.eval.ItemSample;
import dev.llmcw.eval.Stats;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;

/**
 * lm-eval's per-sample log (--log_samples): one JSON line per evaluated document in
 * {@code samples_<task>_<date>.jsonl}, with doc_id, doc, target, arguments ({"gen_args_i": {"arg_0":
 * context, "arg_1": continuation}}), resps and filtered_resps (as EvaluationTracker writes them: every
 * value as a string, [[ll, is_greedy]] per request), filter, metrics, doc_hash, prompt_hash, target_hash
 * and the per-sample metric values (acc, acc_norm; [ll, words] / [ll, bytes] for perplexity).
 */
public final class SamplesLog {
    private SamplesLog() {}

    /** lm-eval's date_id: local ISO date-time with ':' replaced by '-'. */
    public static String dateId() {
        return LocalDateTime.now().toString().replace(":", "-");
    }

    /** Writes {@code samples_<task>_<dateId>.jsonl} into {@code dir} and returns its path. */
    public static Path write(Path dir, String task, String dateId, List<ItemSample> samples) {
        Path file = dir.resolve("samples_" + task + "_" + dateId + ".jsonl");
        StringBuilder sb = new StringBuilder();
        for (ItemSample s : samples) sb.append(Json.write(record(s))).append('\n');
        try {
            Files.createDirectories(dir);
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write samples to " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** One line of the log. */
    public static ObjectNode record(ItemSample s) {
        return switch (s) {
            case ItemSample.MultipleChoice mc -> multipleChoice(mc);
            case ItemSample.Perplexity p -> perplexity(p);
        };
    }

    private static ObjectNode multipleChoice(ItemSample.MultipleChoice s) {
        McItem item = s.item();
        McPayload p = s.payload();
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("id", item.id());
        List<String> contexts =
                item.requests().stream().map(McItem.Request::context).distinct().toList();
        if (contexts.size() == 1) doc.put("query", contexts.getFirst());
        else contexts.forEach(doc.withArray("contexts")::add);
        item.choiceTexts().forEach(doc.withArray("choices")::add);
        doc.put("gold", item.gold());

        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("doc_id", s.docId());
        r.set("doc", doc);
        r.put("target", item.gold());
        ObjectNode args = r.putObject("arguments");
        ArrayNode resps = r.putArray("resps"), filtered = r.putArray("filtered_resps");
        for (int c = 0; c < item.choiceCount(); c++) {
            McItem.Request req = item.requests().get(c);
            args.putObject("gen_args_" + c).put("arg_0", req.context()).put("arg_1", req.continuation());
            String ll = Double.toString(p.ll()[c]), greedy = p.greedy()[c] ? "True" : "False";
            resps.addArray().addArray().add(ll).add(greedy);
            filtered.addArray().add(ll).add(greedy);
        }
        r.put("filter", "none");
        ArrayNode metrics = r.putArray("metrics").add("acc");
        double[] norm = new double[p.ll().length];
        for (int c = 0; c < norm.length; c++) norm[c] = p.ll()[c] / item.choiceLength(c);
        boolean accNorm = s.accNorm();
        if (accNorm) metrics.add("acc_norm");
        r.put("doc_hash", Hashing.sha256(Json.write(doc)));
        r.put("prompt_hash", Hashing.sha256(item.requests().getFirst().context()));
        r.put("target_hash", Hashing.sha256(Integer.toString(item.gold())));
        r.put("acc", Stats.argmax(p.ll()) == item.gold() ? 1.0 : 0.0);
        if (accNorm) r.put("acc_norm", Stats.argmax(norm) == item.gold() ? 1.0 : 0.0);
        return r;
    }

    private static ObjectNode perplexity(ItemSample.Perplexity s) {
        PplPayload p = s.payload();
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("id", s.id());
        String text = s.doc() == null
                ? "<" + p.tokens() + " tokens of the joined text>"
                : s.doc().text();
        doc.put("page", text);

        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("doc_id", s.docId());
        r.set("doc", doc);
        r.put("target", text);
        r.putObject("arguments").putObject("gen_args_0").put("arg_0", text);
        String ll = Double.toString(p.ll());
        r.putArray("resps").addArray().add(ll);
        r.putArray("filtered_resps").add(ll);
        r.put("filter", "none");
        ArrayNode metrics = r.putArray("metrics");
        if (s.doc() != null) {
            metrics.add("word_perplexity").add("byte_perplexity").add("bits_per_byte");
            r.putArray("word_perplexity").add(p.ll()).add(p.words());
            r.putArray("byte_perplexity").add(p.ll()).add(p.bytes());
            r.putArray("bits_per_byte").add(p.ll()).add(p.bytes());
        }
        metrics.add("perplexity");
        r.putArray("perplexity").add(p.ll()).add(p.tokens());
        r.put("doc_hash", Hashing.sha256(Json.write(doc)));
        r.put("prompt_hash", Hashing.sha256(text));
        r.put("target_hash", Hashing.sha256(text));
        return r;
    }
}
