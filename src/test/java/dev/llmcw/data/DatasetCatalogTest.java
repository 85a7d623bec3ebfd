package dev.llmcw.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCatalogTest {
    static final Path REPO_DATASETS = Path.of("datasets");
    static final Set<String> NAMES = Set.of(
            "piqa",
            "hellaswag",
            "arc_easy",
            "arc_challenge",
            "winogrande",
            "boolq",
            "wikitext2",
            "tinystories",
            "rte",
            "lambada_openai",
            "c4");

    @TempDir
    Path tmp;

    private DatasetCatalog samplesOnly() {
        return new DatasetCatalog(List.of(REPO_DATASETS), null, null);
    }

    @Test
    void everyDatasetHasAManifestWithVerifiedSamples() throws Exception {
        var cat = samplesOnly();
        assertThat(cat.all()).extracting(DatasetManifest::name).containsExactlyInAnyOrderElementsOf(NAMES);
        for (DatasetManifest m : cat.all()) {
            assertThat(m.licence()).as(m.name()).isNotBlank();
            assertThat(m.items()).as(m.name()).isPositive();
            assertThat(m.upstream().files()).allSatisfy(f -> assertThat(f.url()).startsWith("https://"));
            var local = cat.sample(m.name()).orElseThrow();
            assertThat(local.format()).isEqualTo(m.sample().format());
            for (int i = 0; i < local.files().size(); i++) {
                assertThat(Hashing.sha256(local.files().get(i)))
                        .as(local.files().get(i).toString())
                        .isEqualTo(m.sample().files().get(i).sha256());
            }
            assertThat(countItems(local))
                    .as(m.name() + " sample items")
                    .isEqualTo(m.sample().items())
                    .isBetween(2, 20);
        }
    }

    /** Parses each sample in its upstream format, checking the fields a task reader needs. */
    private static int countItems(DatasetCatalog.LocalDataset d) throws Exception {
        if (d.format().equals("c4-json-gz")) {
            List<String> docs;
            try (var in = new GZIPInputStream(Files.newInputStream(d.file()))) {
                docs = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList();
            }
            for (String l : docs)
                assertThat(Json.MAPPER.readTree(l).fieldNames())
                        .toIterable()
                        .containsExactly("text", "timestamp", "url");
            return docs.size();
        }
        List<String> lines = Files.readAllLines(d.file());
        switch (d.format()) {
            case "piqa-jsonl+labels" -> {
                List<String> labels = Files.readAllLines(d.files().get(1));
                assertThat(labels).hasSameSizeAs(lines).allMatch(l -> l.equals("0") || l.equals("1"));
                for (String l : lines)
                    assertThat(Json.MAPPER.readTree(l).has("sol2")).isTrue();
                return lines.size();
            }
            case "hellaswag-jsonl" -> {
                for (String l : lines) {
                    JsonNode n = Json.MAPPER.readTree(l);
                    assertThat(n.get("endings")).hasSize(4);
                    assertThat(n.get("label").asInt()).isBetween(0, 3);
                    assertThat(n.get("ctx").asText()).startsWith(n.get("ctx_a").asText());
                }
                return lines.size();
            }
            case "arc-jsonl" -> {
                for (String l : lines) {
                    JsonNode n = Json.MAPPER.readTree(l);
                    List<String> labels = n.at("/question/choices").findValuesAsText("label");
                    assertThat(labels).contains(n.get("answerKey").asText()).hasSizeBetween(3, 5);
                }
                return lines.size();
            }
            case "winogrande-jsonl" -> {
                List<String> labels = Files.readAllLines(d.files().get(1));
                for (int i = 0; i < lines.size(); i++) {
                    JsonNode n = Json.MAPPER.readTree(lines.get(i));
                    assertThat(n.get("sentence")
                                    .asText()
                                    .chars()
                                    .filter(c -> c == '_')
                                    .count())
                            .isEqualTo(1);
                    assertThat(n.get("answer").asText()).isEqualTo(labels.get(i));
                }
                return lines.size();
            }
            case "boolq-superglue-jsonl" -> {
                for (String l : lines)
                    assertThat(Json.MAPPER.readTree(l).get("label").isBoolean()).isTrue();
                return lines.size();
            }
            case "wikitext-raw" -> {
                return (int) lines.stream()
                        .filter(Pattern.compile("^ = [^=].* = $").asPredicate())
                        .count();
            }
            case "rte-hf-jsonl" -> {
                for (String l : lines) {
                    JsonNode n = Json.MAPPER.readTree(l);
                    assertThat(n.get("label").asInt()).isBetween(0, 1);
                    assertThat(n.has("sentence1") && n.has("sentence2") && n.has("idx"))
                            .isTrue();
                }
                return lines.size();
            }
            case "lambada-openai-jsonl" -> {
                for (String l : lines)
                    assertThat(Json.MAPPER.readTree(l).get("text").asText()).contains(" ");
                return lines.size();
            }
            case "tinystories-eot-txt" -> {
                return (int)
                        lines.stream().filter(l -> l.equals("<|endoftext|>")).count();
            }
            default -> throw new AssertionError("unknown sample format " + d.format());
        }
    }

    @Test
    void sharedLayoutsAgreeWithTheSharedManifest() throws Exception {
        Path sharedManifest = DataPaths.shared("MANIFEST.json");
        Assumptions.assumeTrue(Files.isRegularFile(sharedManifest), "no shared data");
        Map<String, String> sha = new HashMap<>();
        for (JsonNode e : Json.MAPPER.readTree(sharedManifest.toFile()))
            sha.put(e.get("path").asText(), e.get("sha256").asText());
        var cat = new DatasetCatalog(List.of(REPO_DATASETS), null, DataPaths.sharedRoot());
        for (DatasetManifest m : cat.all()) {
            if (m.shared() == null) continue; // rte, lambada_openai, c4: not in the shared data
            for (var f : m.shared().files()) {
                assertThat(f.sha256())
                        .as(m.name() + "/" + f.name())
                        .isEqualTo(sha.get(m.shared().folder() + "/" + f.name()));
            }
            var local = cat.locate(m.name()).orElseThrow();
            assertThat(local.source()).isEqualTo(DatasetCatalog.Source.SHARED);
            assertThat(local.files()).allSatisfy(p -> assertThat(p).startsWith(DataPaths.sharedRoot()));
        }
    }

    @Test
    void downloadedFilesWinOverSharedAndSamples() throws Exception {
        Path user = Files.createDirectories(tmp.resolve("user/piqa"));
        Files.writeString(user.resolve("valid.jsonl"), "{}\n".repeat(1838));
        var cat = new DatasetCatalog(List.of(REPO_DATASETS), tmp.resolve("user"), tmp.resolve("no-shared"));
        var piqa = cat.locate("piqa").orElseThrow();
        assertThat(piqa.source())
                .as("labels file missing: incomplete download is not used")
                .isEqualTo(DatasetCatalog.Source.SAMPLE);
        Files.writeString(user.resolve("valid-labels.lst"), "0\n".repeat(1838));
        piqa = cat.locate("piqa").orElseThrow();
        assertThat(piqa.source()).isEqualTo(DatasetCatalog.Source.DOWNLOADED);
        assertThat(piqa.format()).isEqualTo("piqa-jsonl+labels");
        assertThat(piqa.files()).containsExactly(user.resolve("valid.jsonl"), user.resolve("valid-labels.lst"));
        assertThat(cat.candidates("piqa")).hasSize(2);
        assertThatThrownBy(() -> cat.locate("mmlu"))
                .hasMessageContaining("unknown dataset \"mmlu\"")
                .hasMessageContaining("piqa");
    }

    @Test
    void aDownloadedOrSharedCopyWithAnotherItemCountIsRefused() throws Exception {
        Path user = Files.createDirectories(tmp.resolve("user/piqa"));
        Files.writeString(user.resolve("valid.jsonl"), "{}\n".repeat(1837)); // one item short of the split
        Files.writeString(user.resolve("valid-labels.lst"), "0\n".repeat(1837));
        var cat = new DatasetCatalog(List.of(REPO_DATASETS), tmp.resolve("user"), tmp.resolve("no-shared"));
        assertThatThrownBy(() -> cat.locate("piqa"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(user.toString())
                .hasMessageContaining("downloaded copy of dataset \"piqa\"")
                .hasMessageContaining("declares 1838 items but valid.jsonl holds 1837");

        Path shared = Files.createDirectories(tmp.resolve("shared/datasets/arc"));
        Files.writeString(shared.resolve("ARC-Easy-test.normalized.jsonl"), "{}\n".repeat(10));
        var withShared = new DatasetCatalog(List.of(REPO_DATASETS), null, tmp.resolve("shared"));
        assertThatThrownBy(() -> withShared.locate("arc_easy"))
                .hasMessageContaining("shared copy of dataset \"arc_easy\"")
                .hasMessageContaining("declares 2376 items but ARC-Easy-test.normalized.jsonl holds 10");
    }

    @Test
    void theSharedDataPassesTheItemCountCheck() {
        var cat = new DatasetCatalog(List.of(REPO_DATASETS), null, DataPaths.sharedRoot());
        for (String name : NAMES) assertThat(cat.candidates(name)).as(name).isNotNull();
    }

    @Test
    void userManifestsOverrideAndBadOnesNameTheFile() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("m/piqa"));
        Files.writeString(root.resolve("manifest.json"), """
                {"name": "piqa", "licence": "x", "upstream": {"format": "piqa-jsonl+labels",
                 "files": [{"name": "valid.jsonl", "url": "http://127.0.0.1/valid.jsonl"}]}}""");
        var cat = new DatasetCatalog(List.of(tmp.resolve("m"), REPO_DATASETS), null, null);
        assertThat(cat.get("piqa").upstream().files())
                .singleElement()
                .satisfies(f -> assertThat(f.url()).contains("127.0.0.1"));
        assertThat(cat.get("boolq").licence()).isNotBlank();

        Path bad = Files.createDirectories(tmp.resolve("bad/x"));
        Files.writeString(bad.resolve("manifest.json"), "{\"name\": \"x\"}");
        assertThatThrownBy(() -> new DatasetCatalog(List.of(tmp.resolve("bad")), null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad.resolve("manifest.json").toString())
                .hasMessageContaining("no upstream files");
        Files.writeString(bad.resolve("manifest.json"), "{\"name\": ");
        assertThatThrownBy(() -> new DatasetCatalog(List.of(tmp.resolve("bad")), null, null))
                .hasMessageContaining(bad.resolve("manifest.json").toString());
    }

    @Test
    void standardCatalogFindsTheRepository() {
        assertThat(DatasetCatalog.repositoryDatasetsDir()).isPresent();
        assertThat(DatasetCatalog.standard().find("tinystories")).isPresent();
    }
}
