package dev.llmcw.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ProgressListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HuggingFaceHubTest {
    @TempDir
    Path dir;

    LoopbackServer server;
    final byte[] shard1 = "shard-one-bytes".getBytes(StandardCharsets.UTF_8);
    final byte[] shard2 = "shard-two-bytes!".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HuggingFaceHub hub(String token) {
        return new HuggingFaceHub(server.base() + "/", token, new Downloader(Map.of(), 0, Duration.ofMillis(5)));
    }

    private void putRepo(String repo, String shard2Sha) {
        String r = "/" + repo + "/resolve/main/";
        server.put(r + "config.json", "{\"model_type\":\"llama\"}".getBytes());
        server.put(r + "tokenizer.json", "{}".getBytes());
        server.put(r + "tokenizer_config.json", "{}".getBytes());
        server.put(r + "model.safetensors.index.json", """
                {"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                 "b": "model-00002-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"}}""".getBytes());
        server.put(r + "model-00001-of-00002.safetensors", shard1);
        server.put(r + "model-00002-of-00002.safetensors", shard2);
        server.put(
                "/api/models/" + repo + "/revision/main?blobs=true",
                ("""
                {"id": "%s", "siblings": [
                  {"rfilename": ".gitattributes"}, {"rfilename": "README.md"},
                  {"rfilename": "config.json"}, {"rfilename": "tokenizer.json"}, {"rfilename": "tokenizer_config.json"},
                  {"rfilename": "model.safetensors.index.json"},
                  {"rfilename": "model-00001-of-00002.safetensors", "lfs": {"sha256": "%s", "size": %d, "pointerSize": 135}},
                  {"rfilename": "model-00002-of-00002.safetensors", "lfs": {"sha256": "%s", "size": %d, "pointerSize": 135}},
                  {"rfilename": "pytorch_model.bin", "lfs": {"sha256": "00", "size": 1}}]}""".formatted(repo, Hashing.sha256(shard1), shard1.length, shard2Sha, shard2.length)).getBytes());
    }

    @Test
    void resolveUrls() {
        var h = new HuggingFaceHub("https://huggingface.co", null, Downloader.standard());
        assertThat(h.resolveUrl("HuggingFaceTB/SmolLM2-135M", "main", "config.json"))
                .hasToString("https://huggingface.co/HuggingFaceTB/SmolLM2-135M/resolve/main/config.json");
        assertThat(h.resolveUrl("org/m", "refs/pr/1", "model.safetensors"))
                .hasToString("https://huggingface.co/org/m/resolve/refs%2Fpr%2F1/model.safetensors");
        assertThat(h.datasetResolveUrl("roneneldan/TinyStories", "main", "TinyStories-valid.txt"))
                .hasToString(
                        "https://huggingface.co/datasets/roneneldan/TinyStories/resolve/main/TinyStories-valid.txt");
    }

    @Test
    void shardedModelWithListingAndToken() {
        putRepo("org/tiny", Hashing.sha256(shard2));
        var d = hub("secret")
                .downloadModel(
                        "org/tiny", "main", dir.resolve("tiny"), ProgressListener.NONE, CancellationToken.none());
        assertThat(d.files())
                .extracting(p -> p.getFileName().toString())
                .containsExactly(
                        "config.json",
                        "tokenizer.json",
                        "tokenizer_config.json",
                        "model.safetensors.index.json",
                        "model-00001-of-00002.safetensors",
                        "model-00002-of-00002.safetensors");
        assertThat(dir.resolve("tiny/model-00002-of-00002.safetensors")).hasBinaryContent(shard2);
        assertThat(dir.resolve("tiny/pytorch_model.bin")).doesNotExist();
        assertThat(server.requests)
                .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer secret"));

        // a second download verifies the complete files and fetches no weights again
        int before = server.requests.size();
        hub(null)
                .downloadModel(
                        "org/tiny", "main", dir.resolve("tiny"), ProgressListener.NONE, CancellationToken.none());
        assertThat(server.requests.subList(before, server.requests.size()))
                .noneMatch(r -> r.path().endsWith(".safetensors"));
    }

    @Test
    void listedChecksumIsEnforced() {
        putRepo("org/bad", "ab".repeat(32));
        assertThatThrownBy(() -> hub(null)
                        .downloadModel(
                                "org/bad", "main", dir.resolve("bad"), ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining("model-00002-of-00002.safetensors");
        assertThat(dir.resolve("bad/model-00002-of-00002.safetensors")).doesNotExist();
    }

    @Test
    void withoutAListingApiKnownFilesAreProbed() {
        String r = "/org/single/resolve/main/";
        server.put(r + "config.json", "{}".getBytes());
        server.put(r + "tokenizer.model", "spm".getBytes());
        server.put(r + "model.safetensors", shard1);
        var d = hub(null)
                .downloadModel("org/single", "main", dir.resolve("s"), ProgressListener.NONE, CancellationToken.none());
        assertThat(d.files())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("config.json", "tokenizer.model", "model.safetensors");
        assertThat(d.bytes()).isEqualTo(2 + 3 + shard1.length);
        assertThat(server.requests)
                .as("each file fetched once")
                .filteredOn(q -> q.path().endsWith("/model.safetensors"))
                .hasSize(1);
    }

    @Test
    void gatedRepositoryExplainsWhatToDo() {
        putRepo("meta-llama/gated", Hashing.sha256(shard2));
        server.status("/meta-llama/gated/resolve/main/config.json", 403);
        assertThatThrownBy(() -> hub(null)
                        .downloadModel(
                                "meta-llama/gated",
                                "main",
                                dir.resolve("g"),
                                ProgressListener.NONE,
                                CancellationToken.none()))
                .isInstanceOfSatisfying(
                        DownloadException.class, e -> assertThat(e.status()).isEqualTo(403))
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("/meta-llama/gated/resolve/main/config.json")
                .hasMessageContaining("HF_TOKEN");
        // a repository that does not exist at all
        assertThatThrownBy(() -> hub(null)
                        .downloadModel(
                                "org/none", "main", dir.resolve("n"), ProgressListener.NONE, CancellationToken.none()))
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("/org/none/resolve/main/config.json");
    }

    @Test
    void catalogueListsTheSmallModels() {
        assertThat(ModelCatalog.entries())
                .extracting(ModelCatalog.Entry::repo)
                .contains(
                        "HuggingFaceTB/SmolLM2-135M",
                        "HuggingFaceTB/SmolLM2-360M",
                        "Qwen/Qwen2.5-0.5B",
                        "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T",
                        "meta-llama/Llama-3.2-1B",
                        "karpathy/tinyllamas");
        assertThat(ModelCatalog.find("meta-llama/Llama-3.2-1B").orElseThrow().gated())
                .isTrue();
        var s15 = ModelCatalog.find("stories15m").orElseThrow();
        assertThat(s15.files()).containsExactly("stories15M.bin");
        assertThat(s15.format()).isEqualTo("llama2c");
        assertThat(ModelCatalog.entries())
                .allSatisfy(e -> assertThat(e.approxBytes()).isPositive());
    }

    @Test
    void catalogueEntryWithExplicitFilesAndExtraUrls() {
        server.put("/karpathy/tinyllamas/resolve/main/stories15M.bin", shard1);
        server.put("/tok/tokenizer.bin", shard2);
        var e = new ModelCatalog.Entry(
                "x",
                "karpathy/tinyllamas",
                "main",
                "llama2c",
                List.of("stories15M.bin"),
                "15M",
                1,
                "f32",
                false,
                "MIT",
                Map.of("tokenizer.bin", server.base() + "/tok/tokenizer.bin"),
                null);
        var d = hub(null).download(e, dir.resolve("m"), ProgressListener.NONE, CancellationToken.none());
        assertThat(d.files())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("stories15M.bin", "tokenizer.bin");
        assertThat(dir.resolve("m/tokenizer.bin")).hasBinaryContent(shard2);
    }
}
