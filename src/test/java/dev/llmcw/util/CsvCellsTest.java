package dev.llmcw.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvCellsTest {
    @Test
    void formulaStartsArePrefixedWithAQuote() {
        assertThat(CsvCells.cell("=1+2")).isEqualTo("'=1+2");
        assertThat(CsvCells.cell("+A1")).isEqualTo("'+A1");
        assertThat(CsvCells.cell("-A1")).isEqualTo("'-A1");
        assertThat(CsvCells.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(CsvCells.cell("\tx")).isEqualTo("'\tx");
        assertThat(CsvCells.cell("\rx")).isEqualTo("\"'\rx\"");
        assertThat(CsvCells.cell("=HYPERLINK(\"a\",\"b\")")).isEqualTo("\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"");
    }

    @Test
    void numbersAndPlainTextStayAsTheyAre() {
        assertThat(CsvCells.cell("-0.5")).isEqualTo("-0.5");
        assertThat(CsvCells.cell("-1e-3")).isEqualTo("-1e-3");
        assertThat(CsvCells.cell("+3")).isEqualTo("+3");
        assertThat(CsvCells.cell("stories260K")).isEqualTo("stories260K");
        assertThat(CsvCells.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(CsvCells.cell("")).isEmpty();
        assertThat(CsvCells.cell(null)).isEmpty();
    }
}
