package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteSpecTest {
    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        return Files.writeString(dir.resolve("s.yaml"), text);
    }

    @Test
    void expandsSweepsAsCartesianProducts() throws Exception {
        SuiteSpec s = SuiteSpec.read(write("""
                name: x
                models: [{path: a.bin}, {path: b, label: B}]
                methods:
                  - method: none
                  - method: seedlm
                    params: {K: 16}
                    sweep: {C: [4, 8], P: [3, 4]}
                  - method: caldera
                    sweep: {rank: [64], q_bits: [2.0]}
                  - method: none
                tasks: [piqa, arc_easy, wikitext2]
                """));
        assertThat(s.settings())
                .extracting(SuiteSpec.Setting::label)
                .containsExactly(
                        "none",
                        "seedlm C=4 K=16 P=3",
                        "seedlm C=4 K=16 P=4",
                        "seedlm C=8 K=16 P=3",
                        "seedlm C=8 K=16 P=4",
                        "caldera q_bits=2 rank=64");
        assertThat(s.runCount()).isEqualTo(2 * 6 * 3);
        assertThat(s.settings().get(1).params()).isEqualTo(Map.of("C", "4", "K", "16", "P", "3"));
        assertThat(s.runOptions().limit()).isNull();
        assertThat(s.fidelity()).isFalse();
    }

    @Test
    void jsonWorksToo() throws Exception {
        Path f = Files.writeString(dir.resolve("s.json"), """
                {"name": "j", "models": [{"path": "m.gguf"}], "methods": [{"method": "rtn", "sweep": {"bits": [4]}}],
                 "tasks": ["boolq"], "options": {"limit": 10, "bos": true, "codePath": "on-the-fly"}}""");
        SuiteSpec s = SuiteSpec.read(f);
        assertThat(s.settings())
                .singleElement()
                .satisfies(x -> assertThat(x.params()).containsEntry("bits", "4"));
        assertThat(s.runOptions().bos()).isTrue();
        assertThat(s.runOptions().codePath()).isEqualTo("on-the-fly");
    }

    @Test
    void mistakesNameTheFileAndTheProblem() throws Exception {
        assertThatThrownBy(() -> SuiteSpec.read(
                        write("name: x\nmodels: [{path: a}]\nmetods: [{method: none}]\ntasks: [piqa]\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("metods")
                .hasMessageContaining("line 3");
        assertThatThrownBy(() -> SuiteSpec.read(write("name: x\nmethods: [{method: none}]\ntasks: [piqa]\n")))
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("models");
        assertThatThrownBy(() -> SuiteSpec.read(write(
                        "name: x\nmodels: [{path: a}]\nmethods: [{method: rtn, sweep: {bits: []}}]\ntasks: [piqa]\n")))
                .hasMessageContaining("sweep.bits");
        assertThatThrownBy(() -> SuiteSpec.read(write(
                        "name: x\nmodels: [{path: a}]\nmethods: [{method: none, params: {a: 1}}]\ntasks: [piqa]\n")))
                .hasMessageContaining("takes no parameters");
        assertThatThrownBy(() ->
                        SuiteSpec.read(write("name: x\nmodels: [{path: a}]\nmethods: [{method: none}]\ntasks: []\n")))
                .hasMessageContaining("tasks");
        assertThatThrownBy(() -> SuiteSpec.read(write("name: [unclosed\n")))
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("invalid suite file");
        assertThatThrownBy(
                        () -> SuiteSpec.read(
                                write(
                                        "name: x\nmodels: [{path: a}]\nmethods: [{method: none}]\ntasks: [piqa]\noptions: {limit: 0}\n")))
                .hasMessageContaining("limit");
    }

    @Test
    void limitIsTheFirstItemsSampleARandomSubsetWithItsSeed() throws Exception {
        String head = "name: x\nmodels: [{path: a}]\nmethods: [{method: none}]\ntasks: [piqa]\n";
        var limited = SuiteSpec.read(write(head + "options: {limit: 50}\n")).runOptions();
        assertThat(limited.limit()).isEqualTo(50);
        assertThat(limited.sample()).isNull();
        var sampled =
                SuiteSpec.read(write(head + "options: {sample: 50, seed: 1}\n")).runOptions();
        assertThat(sampled.limit()).isNull();
        assertThat(sampled.sample()).isEqualTo(50);
        assertThat(sampled.seed()).isEqualTo(1L);
        assertThatThrownBy(() -> SuiteSpec.read(write(head + "options: {sample: -5}\n")))
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("options.sample must be a positive number of items, not -5");
        assertThatThrownBy(() -> SuiteSpec.read(write(head + "options: {limit: 5, sample: 5}\n")))
                .hasMessageContaining("cannot be combined");
        assertThatThrownBy(() -> SuiteSpec.read(write(head + "options: {sample: many}\n")))
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("options.sample must be a number, not \"many\"");
    }

    @Test
    void exampleSuiteIsValid() {
        SuiteSpec s = SuiteSpec.read(Path.of("src/main/resources/suites/example-suite.yaml"));
        assertThat(s.settings()).hasSize(5);
        // the example points at the shared data beside the checkout
        assertThat(Path.of("src/main/resources/suites")
                        .toAbsolutePath()
                        .resolve(s.models().getFirst().path())
                        .normalize())
                .isEqualTo(Path.of("../shared/models/stories260K/stories260K.bin")
                        .toAbsolutePath()
                        .normalize());
    }

    @Test
    void duplicateKeysAreErrorsNamingTheFileAndTheKey() {
        Path file = Path.of("dup.yaml");
        assertThatThrownBy(() -> SuiteSpec.parse("""
                name: a
                models: [{path: m.bin}]
                methods: [{method: none}]
                tasks: [piqa]
                name: b
                """, file))
                .hasMessageContaining("dup.yaml")
                .hasMessageContaining("duplicate")
                .hasMessageContaining("\"name\"");
        assertThatThrownBy(() -> SuiteSpec.parse("""
                name: a
                models: [{path: m.bin}]
                methods:
                  - method: rtn
                    sweep: {bits: [2], bits: [4]}
                tasks: [piqa]
                """, file))
                .hasMessageContaining("dup.yaml")
                .hasMessageContaining("\"bits\"");
    }

    @Test
    void aLargeSweepExpandsOnceEachInFileOrder() {
        // 3 entries of 8 x 8 x 8 x 8 x 4 = 16384 settings each; the second repeats the first, the third overlaps half
        String values = "[1, 2, 3, 4, 5, 6, 7, 8]";
        String sweep = "{a: " + values + ", b: " + values + ", c: " + values + ", d: " + values + ", e: %s}";
        SuiteSpec spec = SuiteSpec.parse(
                "name: big\nmodels: [{path: m.bin}]\ntasks: [piqa]\nmethods:\n"
                        + "  - {method: rtn, sweep: " + sweep.formatted("[1, 2, 3, 4]") + "}\n"
                        + "  - {method: RTN, sweep: " + sweep.formatted("[1, 2, 3, 4]") + "}\n"
                        + "  - {method: rtn, sweep: " + sweep.formatted("[3, 4, 5, 6]") + "}\n",
                Path.of("big.yaml"));
        var settings = spec.settings();
        assertThat(settings).hasSize(8 * 8 * 8 * 8 * 6);
        assertThat(settings.stream().map(SuiteSpec.Setting::label).distinct().count())
                .isEqualTo(settings.size());
        assertThat(settings.getFirst().params()).isEqualTo(Map.of("a", "1", "b", "1", "c", "1", "d", "1", "e", "1"));
        assertThat(settings.get(1).params()).containsEntry("e", "2");
        // the third entry adds only its new values of e (5 and 6), in its own order
        assertThat(settings.get(8 * 8 * 8 * 8 * 4).params())
                .isEqualTo(Map.of("a", "1", "b", "1", "c", "1", "d", "1", "e", "5"));
        assertThat(settings.getLast().params()).isEqualTo(Map.of("a", "8", "b", "8", "c", "8", "d", "8", "e", "6"));
        assertThat(spec.runCount()).isEqualTo(settings.size());
    }
}
