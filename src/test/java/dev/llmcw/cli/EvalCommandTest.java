package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.TestData;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.report.RunRows;
import dev.llmcw.results.Deployments;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.RunStatus;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `eval` end to end on stories260K with a small data folder in the upstream layouts. */
class EvalCommandTest {
    @Test
    void writesResultsInAllThreeFormats(@TempDir Path dir) throws Exception {
        Path model = TestData.stories260K();
        TestData.tok512();
        Path data = piqaData(dir, 3);
        Files.createDirectories(data.resolve("tinystories"));
        Files.writeString(data.resolve("tinystories/tinystories_val_subset.txt"), """
                Once upon a time, there was a little cat. The cat liked to play. One day, the cat saw a ball. It was red.

                Tom had a big dog. The dog was happy. They went to the park. Tom threw a stick and the dog ran.
                """);
        Path out = dir.resolve("out");
        Path db = dir.resolve("results.db");
        int rc = Cli.execute(
                "eval",
                "--model",
                model.toString(),
                "--tasks",
                "piqa,tinystories_ppl",
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--seed",
                "7",
                "--db",
                db.toString());
        assertThat(rc).isZero();
        JsonNode first = Json.MAPPER
                .readTree(Files.readString(out.resolve("results.json")))
                .get("results");
        // the second identical run reuses the stored runs: same numbers, no new runs in the database
        Path out2 = dir.resolve("out2");
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        model.toString(),
                        "--tasks",
                        "piqa,tinystories_ppl",
                        "--data",
                        data.toString(),
                        "--out",
                        out2.toString(),
                        "--seed",
                        "7",
                        "--db",
                        db.toString()))
                .isZero();
        assertThat(Json.MAPPER
                        .readTree(Files.readString(out2.resolve("results.json")))
                        .get("results"))
                .isEqualTo(first);
        // the reused runs' per-sample logs are read back from the stored items
        try (var files = Files.list(out2)) {
            Path piqaSamples = files.filter(p -> p.getFileName().toString().startsWith("samples_piqa_"))
                    .findFirst()
                    .orElseThrow();
            assertThat(Files.readAllLines(piqaSamples)).hasSize(3);
        }
        try (var store = ResultsStore.open(db)) {
            var runs = store.listRuns(RunFilter.all());
            assertThat(runs).hasSize(2);
            assertThat(runs).allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.DONE));
        }
        JsonNode root = Json.MAPPER.readTree(Files.readString(out.resolve("results.json")));
        assertThat(root.get("results").get("piqa").get("acc,none").asDouble()).isBetween(0.0, 1.0);
        assertThat(root.get("results").get("piqa").get("samples").asInt()).isEqualTo(3);
        assertThat(root.get("results")
                        .get("tinystories_ppl")
                        .get("word_perplexity,none")
                        .asDouble())
                .isGreaterThan(1.0);
        assertThat(root.get("config").get("seed").asInt()).isEqualTo(7);
        assertThat(Files.readString(out.resolve("results.csv"))).contains(",piqa,1.0,3,acc,");
        assertThat(Files.readString(out.resolve("results.md"))).contains("|piqa");
        long weightBytes = ModelLoader.load(model).weightBytes();
        try (var store = ResultsStore.open(db)) {
            // an uncompressed model sits at its own bits/weight (F32: 32) and size on the charts' axes
            assertThat(store.listRuns(RunFilter.all())).allSatisfy(r -> {
                assertThat(r.method()).isEqualTo(RunSpec.NO_METHOD);
                assertThat(r.modelLabel()).isEqualTo("stories260K.bin");
                assertThat(r.bitsPerWeight()).isEqualTo(32.0);
                assertThat(r.totalBytes()).isEqualTo(weightBytes);
            });
            // measured once (the second eval found it), charted with the runs of this model
            var deployed = Deployments.onThisMachine(store);
            assertThat(deployed).containsOnlyKeys(ModelHashes.contentHash(model));
            var rows = RunRows.of(store, store.listRuns(RunFilter.all()));
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.deployment().decodeTokS()).isPositive();
                assertThat(row.deployment().weightBytes()).isEqualTo(weightBytes);
            });
        }
        // a task name that does not exist is an error naming the known ones
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        model.toString(),
                        "--tasks",
                        "nope",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "--no-store"))
                .isEqualTo(1);
    }

    /**
     * A compressed file evaluated with a results store that did not record its compression: method and
     * parameters come from the file, the family label from its source model, and it is not drawn as an
     * uncompressed reference; --label names the family explicitly.
     */
    @Test
    void aCompressedFileUnknownToTheStoreKeepsItsMethodAndFamily(@TempDir Path dir) throws Exception {
        Path model = TestData.stories260K();
        TestData.tok512();
        Path data = piqaData(dir, 2);
        Path rtn = dir.resolve("rtn4.safetensors");
        assertThat(Cli.execute(
                        "compress",
                        "--method",
                        "rtn",
                        "--bits",
                        "4",
                        "--model",
                        model.toString(),
                        "--out",
                        rtn.toString()))
                .isZero();
        Path db = dir.resolve("fresh.db");
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        rtn.toString(),
                        "--tokenizer",
                        TestData.tok512().toString(),
                        "--tasks",
                        "piqa",
                        "--data",
                        data.toString(),
                        "--out",
                        dir.resolve("out").toString(),
                        "--db",
                        db.toString()))
                .isZero();
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        rtn.toString(),
                        "--tokenizer",
                        TestData.tok512().toString(),
                        "--tasks",
                        "piqa",
                        "--data",
                        data.toString(),
                        "--out",
                        dir.resolve("out2").toString(),
                        "--db",
                        dir.resolve("other.db").toString(),
                        "--label",
                        "my family"))
                .isZero();
        try (var store = ResultsStore.open(db)) {
            assertThat(store.listRuns(RunFilter.all())).singleElement().satisfies(r -> {
                assertThat(r.method()).isEqualTo("rtn");
                assertThat(r.methodParams()).containsEntry("bits", "4");
                assertThat(r.modelLabel()).isEqualTo("stories260K.bin");
                assertThat(r.bitsPerWeight()).isNull();
                // the bytes of the model as eval ran it: the layers packed, not densified
                assertThat(r.totalBytes())
                        .isEqualTo(ModelLoader.loadForInference(rtn, null).weightBytes());
            });
        }
        try (var store = ResultsStore.open(dir.resolve("other.db"))) {
            assertThat(store.listRuns(RunFilter.all()))
                    .singleElement()
                    .satisfies(r -> assertThat(r.modelLabel()).isEqualTo("my family"));
        }
    }

    /** dir/data with the first {@code items} of three small PIQA items in the upstream layout (jsonl + labels). */
    private static Path piqaData(Path dir, int items) throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("piqa"));
        var lines = List.of(
                "{\"goal\": \"How do I open a jar?\", \"sol1\": \"Twist the lid.\", \"sol2\": \"Eat the lid.\"}",
                "{\"goal\": \"Keep bread fresh\", \"sol1\": \"Put it in a bag.\", \"sol2\": \"Put it in the bath.\"}",
                "{\"goal\": \"Dry wet shoes\", \"sol1\": \"Stuff them with paper.\", \"sol2\": \"Fill them with water.\"}");
        Files.writeString(data.resolve("piqa/valid.jsonl"), String.join("\n", lines.subList(0, items)) + "\n");
        Files.writeString(data.resolve("piqa/valid-labels.lst"), "0\n".repeat(items));
        return data;
    }
}
