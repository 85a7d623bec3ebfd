package dev.llmcw.cli;

import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Numerics;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.eval.data.TextFiles;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "ppl",
        description = {
            "Perplexity of a model on a text file. Each document is scored on its own as BOS + tokens;",
            "a document longer than --max-length is cut into non-overlapping windows, each restarted after BOS."
        })
final class PplCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--text", required = true, description = "UTF-8 text file")
    Path text;

    @Option(
            names = "--documents",
            defaultValue = "blank-line",
            description = "how the file splits into documents: blank-line, line or whole (default: ${DEFAULT-VALUE})")
    String documents;

    @Option(names = "--limit", description = "score only the first N documents")
    Integer limit;

    @Option(
            names = "--numerics",
            defaultValue = "workbench",
            description = {
                "workbench (default) or llama.cpp: repeat llama.cpp's CPU arithmetic (F16 KV cache, its flash",
                "attention, Q8_0/Q8_K activations with integer dots, F16 products) to compare with llama-perplexity"
            })
    String numerics;

    @Option(
            names = "--max-length",
            description = "tokens per window including BOS (default: model context, at most 2048)")
    Integer maxLength;

    @Override
    public Integer call() {
        // the engine's arithmetic is a JVM-wide switch: put back what was there (in-process callers, tests)
        Numerics was = Numerics.set(Numerics.parse(numerics));
        try {
            return run();
        } finally {
            Numerics.set(was);
        }
    }

    private Integer run() {
        Perplexity.Documents mode = switch (documents.toLowerCase(Locale.ROOT)) {
            case "blank-line" -> Perplexity.Documents.BLANK_LINE;
            case "line" -> Perplexity.Documents.LINE;
            case "whole" -> Perplexity.Documents.WHOLE;
            default ->
                throw new IllegalArgumentException("--documents must be blank-line, line or whole, got " + documents);
        };
        String content = TextFiles.readDocuments(text);
        List<String> docs = Perplexity.split(content, mode);
        if (limit != null) docs = docs.subList(0, Math.min(limit, docs.size()));
        Path model = modelOptions.model();
        Model m = ModelLoader.loadForInference(model, modelOptions.tokenizer());
        Tokenizer tok = m.tokenizer();
        if (tok == null)
            throw new IllegalArgumentException(model + ": no tokenizer found beside the model; pass --tokenizer");
        int len = maxLength != null ? maxLength : Math.min(m.config().maxSeqLen(), 2048);
        LlamaEngine engine = new LlamaEngine(m, len);
        Perplexity ppl = new Perplexity(engine, tok.bosId(), len);
        long t0 = System.nanoTime();
        for (String d : docs) ppl.add(tok.encode(d));
        var r = ppl.result();
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "documents: %d%n", r.documents());
        System.out.printf(Locale.ROOT, "tokens scored: %d%n", r.tokens());
        System.out.printf(Locale.ROOT, "perplexity: %.4f%n", r.perplexity());
        if (Numerics.current() != Numerics.WORKBENCH)
            System.out.println("numerics: " + Numerics.current().label());
        System.out.printf(Locale.ROOT, "time: %.1f s (%.0f tokens/s)%n", secs, r.tokens() / secs);
        return 0;
    }
}
