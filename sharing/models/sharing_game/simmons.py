"""Simmons' paper checked: the printed Tables 1 and 2, and the tables rebuilt from its words.

The literal tables are solved and compared with the paper's claims
(:func:`check_simmons_tables`); the model ``u_i`` at every reading of the
paper's verbal parameters is compared with the printed tables
(:func:`reconstruct_simmons_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sharing.models.equilibria import GameReport, analyse_game
from sharing.models.sharing_game.game import POOLS, Pool, payoff_matrices


@dataclass(frozen=True)
class PaperClaim:
    """What the paper says a table's equilibria are (transcribed input, not a result)."""

    text: str
    pure: tuple[str, ...]
    n_mixed: int
    classification: str | None


@dataclass(frozen=True)
class PrintedTable:
    """A payoff table as printed in the paper (row = Company 1, strategies C, D)."""

    name: str
    caption: str
    row: tuple[tuple[float, float], tuple[float, float]]
    col: tuple[tuple[float, float], tuple[float, float]]
    claim: PaperClaim


#: Simmons, Tables 1 and 2, transcribed literally (the second is also captioned
#: "Matrix 1: No Incentives" in the paper), with the claims of section B.5.
SIMMONS_TABLES: tuple[PrintedTable, PrintedTable] = (
    PrintedTable(
        name="Table 1",
        caption="Matrix 1: No Incentives",
        row=((3.5, 0.5), (4.0, 1.0)),
        col=((3.5, 4.0), (0.5, 1.0)),
        claim=PaperClaim(
            text="three equilibria: (C,C), (D,D) and a mixed one - a stag hunt (B.4-B.5)",
            pure=("(C,C)", "(D,D)"),
            n_mixed=1,
            classification="stag-hunt",
        ),
    ),
    PrintedTable(
        name="Table 2",
        caption="Matrix 1: No Incentives (sic; the incentives table)",
        row=((3.9, 0.9), (4.0, 1.0)),
        col=((4.3, 3.0), (0.9, 1.0)),
        claim=PaperClaim(
            text="the equilibrium is consistently (C,C): the unique equilibrium (B.5)",
            pure=("(C,C)",),
            n_mixed=0,
            classification=None,
        ),
    ),
)


@dataclass(frozen=True)
class TableCheck:
    """A printed table, what it implies, and whether that agrees with the paper."""

    table: PrintedTable
    game: GameReport
    equilibria_agree: bool
    classification_agrees: bool | None
    agrees: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain data: the table, its game solved, the paper's claim and the verdicts."""
        claim = self.table.claim
        return {
            "name": self.table.name,
            "caption": self.table.caption,
            **self.game.as_dict(),
            "paper_claim": claim.text,
            "paper_claim_detail": {
                "pure": list(claim.pure),
                "n_mixed": claim.n_mixed,
                "classification": claim.classification,
            },
            "equilibria_agree": self.equilibria_agree,
            "classification_agrees": self.classification_agrees,
            "agrees": self.agrees,
        }

    @property
    def summary(self) -> str:
        """One sentence: what the printed table is and whether the paper says so."""
        cls = self.game.classification
        found = ", ".join(self.game.labels)
        return (
            f"{self.table.name} as printed is {cls.label} ({cls.reason}) with equilibria "
            f"{found}; the paper claims {self.table.claim.text}: "
            f"{'agrees' if self.agrees else 'disagrees'}"
        )


def check_simmons_tables() -> list[TableCheck]:
    """Solve Simmons' printed Tables 1 and 2 literally and compare with the paper's claims.

    ``agrees`` is computed: same pure equilibria, same number of mixed ones and,
    where the paper names a class, the same class.
    """
    checks = []
    for table in SIMMONS_TABLES:
        game = analyse_game(table.row, table.col)
        eq_ok = (
            set(game.pure_labels) == set(table.claim.pure)
            and game.equilibria.n_mixed == table.claim.n_mixed
        )
        cls_ok = (
            None
            if table.claim.classification is None
            else game.classification.label == table.claim.classification
        )
        checks.append(TableCheck(table, game, eq_ok, cls_ok, eq_ok and cls_ok is not False))
    return checks


@dataclass(frozen=True)
class Reconstruction:
    """The model u_i (docs/models.md) at one reading of the paper's verbal parameters."""

    name: str
    reading: str
    table: PrintedTable
    knowledge: tuple[float, float]
    risk: tuple[float, float]
    reward: tuple[float, float]
    pool: Pool
    beta: float
    game: GameReport
    row_matches_printed: bool
    col_matches_printed: bool
    max_abs_difference: float
    same_equilibria_as_printed: bool
    agrees_with_claim: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain data: the reading, its game solved and the comparisons with the paper."""
        return {
            "name": self.name,
            "printed_table": self.table.name,
            "reading": self.reading,
            "knowledge": list(self.knowledge),
            "risk": list(self.risk),
            "reward": list(self.reward),
            "pool": self.pool,
            "beta": self.beta,
            **self.game.as_dict(),
            "row_matches_printed": self.row_matches_printed,
            "col_matches_printed": self.col_matches_printed,
            "max_abs_difference": self.max_abs_difference,
            "same_equilibria_as_printed": self.same_equilibria_as_printed,
            "agrees_with_claim": self.agrees_with_claim,
        }


#: How the verbal parameters are read (stated in every output).
SIMMONS_READING = (
    "Company 1 has three times the knowledge of Company 2: K = 3 and 1 (Company 2 "
    "normalised to 1); 'a risk of -0.5' is r = 0.5 for both firms (Table 1, no "
    "reward); Table 2 lowers the risk to r = 0.3 and adds 'proportional incentives "
    "valued at 0.2 percent of their overall cybersecurity knowledge', read both as "
    "R_i = 0.002 K_i (0.2 percent literally) and as R_i = 0.2 K_i (0.2 as a "
    "fraction); beta = 1; both pools; both orientations (Company 1 as the row "
    "player or as the column player), since the paper does not say which is which"
)


def reconstruct_simmons_tables(beta: float = 1.0) -> list[Reconstruction]:
    """Rebuild Tables 1 and 2 from the paper's verbal parameters with the model u_i.

    Every reading in :data:`SIMMONS_READING` is computed and compared with the
    printed matrices entry by entry (``*_matches_printed``, within 1e-9) and by
    equilibria; nothing is assumed to match.
    """
    printed = {c.table.name: c for c in check_simmons_tables()}
    cases: list[tuple[str, str, PrintedTable, float, float]] = [
        ("Table 1", "no reward, r = 0.5", SIMMONS_TABLES[0], 0.5, 0.0),
        ("Table 2", "r = 0.3, R_i = 0.002 K_i (0.2 percent)", SIMMONS_TABLES[1], 0.3, 0.002),
        ("Table 2", "r = 0.3, R_i = 0.2 K_i (0.2 as a fraction)", SIMMONS_TABLES[1], 0.3, 0.2),
    ]
    out = []
    for name, reading, table, risk, rate in cases:
        for knowledge in ((3.0, 1.0), (1.0, 3.0)):
            for pool in POOLS:
                reward = (rate * knowledge[0], rate * knowledge[1])
                a, b = payoff_matrices(knowledge, risk, reward, pool, beta)
                game = analyse_game(a, b)
                pa, pb = np.array(table.row), np.array(table.col)
                ref = printed[table.name].game
                who = "row" if knowledge[0] > knowledge[1] else "column"
                out.append(
                    Reconstruction(
                        name=f"{name}: {reading}, {pool} pool, Company 1 as {who} player",
                        reading=reading,
                        table=table,
                        knowledge=knowledge,
                        risk=(risk, risk),
                        reward=reward,
                        pool=pool,
                        beta=beta,
                        game=game,
                        row_matches_printed=bool(np.allclose(a, pa, atol=1e-9, rtol=0)),
                        col_matches_printed=bool(np.allclose(b, pb, atol=1e-9, rtol=0)),
                        max_abs_difference=float(max(np.abs(a - pa).max(), np.abs(b - pb).max())),
                        same_equilibria_as_printed=(
                            set(game.pure_labels) == set(ref.pure_labels)
                            and game.equilibria.n_mixed == ref.equilibria.n_mixed
                        ),
                        agrees_with_claim=(
                            set(game.pure_labels) == set(table.claim.pure)
                            and game.equilibria.n_mixed == table.claim.n_mixed
                        ),
                    )
                )
    return out


#: The model the reconstruction uses, as printed in every report.
MODEL_FORMULA = (
    "u_i = K_i + beta * sum_{j != i, a_j = C} K_j * [open or a_i = C] - [a_i = C] * (r_i - R_i)"
)


@dataclass(frozen=True)
class SimmonsReport:
    """Everything ``sharing game paper`` reports: the printed tables and their reconstruction."""

    tables: tuple[TableCheck, ...]
    cases: tuple[Reconstruction, ...]

    @property
    def summary(self) -> tuple[str, ...]:
        """One line per printed table, then per table how many readings reproduce its claim."""
        lines = [check.summary for check in self.tables]
        for name in ("Table 1", "Table 2"):
            ok = [c.name for c in self.cases if c.table.name == name and c.agrees_with_claim]
            total = sum(c.table.name == name for c in self.cases)
            lines.append(
                f"{name}: the model reproduces the paper's claimed equilibria in "
                f"{len(ok)} of {total} readings" + (": " + "; ".join(ok) if ok else "")
            )
        return tuple(lines)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the schema of ``sharing game paper --json``)."""
        return {
            "tables": [t.as_dict() for t in self.tables],
            "reconstruction": {
                "model": MODEL_FORMULA,
                "reading": SIMMONS_READING,
                "cases": [c.as_dict() for c in self.cases],
            },
            "summary": list(self.summary),
        }


def simmons_report(beta: float = 1.0) -> SimmonsReport:
    """Check the printed tables and rebuild them at absorption ``beta``."""
    return SimmonsReport(tuple(check_simmons_tables()), tuple(reconstruct_simmons_tables(beta)))
