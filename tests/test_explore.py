"""The command line's generic parts run any model: `dmmodel explore` on textbook models."""

import json
import textwrap

from click.testing import CliRunner

from dmmodel.cli import main


def explore(*args):
    return CliRunner().invoke(main, ["explore", *args])


def test_die_hard_through_the_cli():
    result = explore("dmmodel.examples.die_hard:DieHard")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("16 states, 96 transitions, depth 7")
    assert "big jug holds 4          holds" in result.output
    example = result.output[result.output.index("shortest example"):].splitlines()[1:]
    assert len(example) == 7 and example[-1].endswith("BigToSmall: big=4 small=3")


def test_two_phase_commit_json():
    result = explore("dmmodel.examples.two_phase_commit:TwoPhase", "--json", "--coverage")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["states"] == 288 and data["complete"] is True
    assert all(p["holds"] is True for p in data["properties"])
    assert sum(data["coverage"].values()) == data["transitions"]


def test_a_violated_property_exits_1_with_its_counterexample(tmp_path, monkeypatch):
    (tmp_path / "leaky.py").write_text(textwrap.dedent('''
        from dmmodel.checker import Always, Model

        class Leaky(Model):
            def init_states(self):
                return [0]
            def successors(self, n):
                return [("drip", n + 1)] if n < 3 else []
            def properties(self):
                return [Always("below two", lambda n: n < 2)]
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    result = explore("leaky:Leaky")
    assert result.exit_code == 1
    assert "below two  VIOLATED (2)" in result.output
    assert "2. drip: 2" in result.output


def test_bad_targets_are_usage_errors():
    for target in ("nonsense", "no_such_module:X", "dmmodel.examples.die_hard:Nope", "json:dumps"):
        result = explore(target)
        assert result.exit_code == 2, target
        assert "MODEL:" in result.output
