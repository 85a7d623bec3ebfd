package dev.llmcw.suite;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SuiteMethodsTest {
    @Test
    void buildsSeedLmFromSuiteParameters() {
        var m = SuiteMethods.create("seedlm", Map.of("C", "8", "P", "3", "K", "16"));
        assertThat(m.name()).isEqualTo("seedlm");
        assertThat(m.parameters()).containsEntry("C", "8").containsEntry("P", "3").containsEntry("K", "16");
        assertThat(SuiteMethods.create("SeedLM", Map.of("bits", "3")).parameters()).containsEntry("C", "12").containsEntry("P", "4");
    }

    @Test
    void rejectsTyposAndUnknownMethods() {
        assertThatThrownBy(() -> SuiteMethods.create("seedlm", Map.of("C", "8", "P", "3", "k", "16")))
                .hasMessageContaining("unknown parameter").hasMessageContaining("k");
        assertThatThrownBy(() -> SuiteMethods.create("seedlm", Map.of("bits", "four"))).hasMessageContaining("bits");
        assertThatThrownBy(() -> SuiteMethods.create("awq", Map.of())).hasMessageContaining("unknown compression method 'awq'");
    }
}
