"""The README's results block is generated from a run's tables and cannot drift from them."""

from __future__ import annotations

import pandas as pd

from multimodal_emotion import reporting
from multimodal_emotion.reporting import readme as generator
from support.workflow import REPO
from test_statistics import small_table


def test_readme_block_agrees_with_the_committed_default_tables():
    """README.md's block equals what `python -m multimodal_emotion.reporting readme results/tables`
    writes from the default run's tables, whose copy is committed in docs/results-tables/."""
    snapshot = REPO / generator.SNAPSHOT_DIR
    assert (snapshot / "seed_accuracy.csv").exists()
    assert generator.readme_disagreements(REPO / "README.md", snapshot) == []
    _, block, _ = generator._split_readme((REPO / "README.md").read_text())
    models = [row.split("|")[1].strip() for row in block.splitlines() if row.startswith("| ")]
    assert "Bimodal-LSTM" in models and any(m.startswith("Training majority") for m in models) and "[" in block


def test_generator_and_check_on_a_small_table(tmp_path):
    tables = tmp_path / "tables"
    tables.mkdir()
    table = reporting.summary_table(small_table(), dataset="seed", reference=False)
    reporting.write_table(table, str(tables / "seed_accuracy"), caption="SEED")
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{generator.README_BEGIN}\nold text\n{generator.README_END}\n\nafter\n")
    generator.write_readme(tables, readme, snapshot_dir=tmp_path / "snapshot")
    assert generator.readme_disagreements(readme, tmp_path / "snapshot") == []
    assert generator.main(["check", str(tables), str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("# Title\n") and text.endswith("\n\nafter\n") and "old text" not in text
    row = table.set_index("model").loc["model_a"]
    cells = [[cell.strip() for cell in line.split("|")[1:-1]] for line in text.splitlines() if line.startswith("| ")]
    assert [row["method"], "6", f"{row['mean_accuracy']:.1f} [{row['ci95_low']:.1f}, {row['ci95_high']:.1f}]",
            f"{row['balanced_accuracy']:.1f}", "0.062"] in cells

    # the check fails when the tables change ...
    changed = pd.read_csv(tables / "seed_accuracy.csv")
    changed.loc[changed["model"] == "model_a", "mean_accuracy"] += 1.0
    changed.to_csv(tables / "seed_accuracy.csv", index=False)
    assert generator.readme_disagreements(readme, tables)
    assert generator.main(["check", str(tables), str(readme)]) == 1
    # ... and when the README is edited by hand
    readme.write_text(text.replace(f"{row['mean_accuracy']:.1f} [", f"{row['mean_accuracy'] + 5:.1f} ["))
    assert generator.readme_disagreements(readme, tmp_path / "snapshot")
