package dev.llmcw.app;

import dev.llmcw.app.ResultsService.ItemDetail;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.MultipleChoiceTask;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-item view rows: the stored per-item results (chosen answer, log-likelihoods) joined with the
 * task's own items (prompt and choice texts, re-read from the data) and the base model's answers.
 */
final class ItemDetails {
    private ItemDetails() {}

    static List<ItemDetail> of(
            String taskName,
            long seed,
            Path dataDir,
            Map<String, ItemStore.StoredItem> items,
            Map<String, ItemStore.StoredItem> baseItems) {
        Map<String, McItem> texts = new HashMap<>();
        try {
            Task task = TaskRegistry.create(taskName, seed, null);
            if (task instanceof MultipleChoiceTask mc && dataDir != null) {
                for (McItem it : mc.load(dataDir)) texts.put(it.id(), it);
            }
        } catch (RuntimeException e) {
            // Texts are a convenience: without the data the view still shows ids, answers and log-likelihoods.
        }
        var out = new ArrayList<ItemDetail>();
        for (var it : items.values()) {
            McItem mc = texts.get(it.itemId());
            String prompt = mc == null
                    ? "(text not available: data not found)"
                    : mc.requests().getFirst().context();
            List<String> choices = mc == null ? List.of() : mc.choiceTexts();
            var base = baseItems == null ? null : baseItems.get(it.itemId());
            out.add(new ItemDetail(
                    it.itemId(),
                    prompt,
                    choices,
                    lls(it.payloadJson()),
                    it.gold(),
                    it.chosen(),
                    base == null ? -1 : base.chosen()));
        }
        out.sort(Comparator.comparing((ItemDetail d) -> !d.flipped()).thenComparing(d -> naturalKey(d.itemId())));
        return out;
    }

    private static String naturalKey(String id) {
        return id.chars().allMatch(Character::isDigit) ? String.format("%012d", Long.parseLong(id)) : id;
    }

    static double[] lls(String payload) {
        try {
            var n = Json.MAPPER.readTree(payload).get("ll");
            if (n == null || !n.isArray()) return new double[0];
            double[] d = new double[n.size()];
            for (int i = 0; i < d.length; i++) d[i] = n.get(i).asDouble();
            return d;
        } catch (Exception e) {
            return new double[0];
        }
    }
}
