package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuiteMethodsTest {
    @Test
    void buildsSeedLmFromSuiteParameters() {
        var m = SuiteMethods.create("seedlm", Map.of("C", "8", "P", "3", "K", "16"), Path.of("."));
        assertThat(m.name()).isEqualTo("seedlm");
        assertThat(m.parameters())
                .containsEntry("C", "8")
                .containsEntry("P", "3")
                .containsEntry("K", "16");
        assertThat(SuiteMethods.create("SeedLM", Map.of("bits", "3"), Path.of("."))
                        .parameters())
                .containsEntry("C", "12")
                .containsEntry("P", "4");
    }

    @Test
    void buildsRtnGptqAndCalderaWithTheCompressCommandsDefaults() {
        assertThat(SuiteMethods.create("rtn", Map.of("bits", "3"), Path.of(".")).parameters())
                .containsEntry("bits", "3")
                .containsEntry("group", "128")
                .containsEntry("sym", "false");
        var gptq = SuiteMethods.create("gptq", Map.of("bits", "4", "group", "64", "calib", "c.txt"), Path.of("/data"));
        assertThat(gptq.parameters()).containsEntry("group", "64").containsKey("calibration");
        assertThat(gptq.parameters().get("calibration")).contains("c.txt");
        var caldera = SuiteMethods.create("caldera", Map.of("rank", "16", "calib", "c.txt"), Path.of("/data"));
        assertThat(caldera.parameters()).containsEntry("rank", "16").containsEntry("q_bits", "2");
        assertThatThrownBy(() -> SuiteMethods.create("caldera", Map.of("rank", "16"), Path.of(".")))
                .hasMessageContaining("calib");
        assertThatThrownBy(() -> SuiteMethods.create("rtn", Map.of("sym", "maybe"), Path.of(".")))
                .hasMessageContaining("sym");
    }

    @Test
    void rejectsTyposAndUnknownMethods() {
        assertThatThrownBy(() -> SuiteMethods.create("seedlm", Map.of("C", "8", "P", "3", "k", "16"), Path.of(".")))
                .hasMessageContaining("unknown parameter")
                .hasMessageContaining("k");
        assertThatThrownBy(() -> SuiteMethods.create("seedlm", Map.of("bits", "four"), Path.of(".")))
                .hasMessageContaining("bits");
        assertThatThrownBy(() -> SuiteMethods.create("omniquant", Map.of(), Path.of(".")))
                .hasMessageContaining("unknown compression method 'omniquant'");
    }
}
